/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlpctl commands that live in files of their own, for dlpctl.c's table.
 * Each takes the arguments after NOUN VERB and returns dlpctl's exit status.
 */
#ifndef DLPCTL_COMMANDS_H
#define DLPCTL_COMMANDS_H

int do_doctor(int argc, char **argv);
int do_device_allow(int argc, char **argv);
int do_device_block(int argc, char **argv);
int do_device_import(int argc, char **argv);
int do_label_set(int argc, char **argv);
int do_label_show(int argc, char **argv);

#endif /* DLPCTL_COMMANDS_H */
