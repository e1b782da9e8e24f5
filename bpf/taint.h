/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's taint: the highest 機密性 rank (enum dlp_class) of the labelled
 * files it has opened for reading.  Kept in task local storage, so it costs
 * one lookup and goes away with the task.  Raising it (file_open), passing it
 * to children (fork) and keeping it across exec are the file hooks' work;
 * every hook that judges by taint reads it with dlp_task_taint().
 *
 * Include after vmlinux.h and <bpf/bpf_helpers.h>.
 */
#ifndef DLP_BPF_TAINT_H
#define DLP_BPF_TAINT_H

#include <dlpguard/taint.h>

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dlp_taint);
} dlp_taint SEC(".maps");

static __always_inline __u8 dlp_task_own_taint(struct task_struct *task)
{
	struct dlp_taint *t = bpf_task_storage_get(&dlp_taint, task, NULL, 0);

	return t ? t->class : DLP_CLASS_NONE;
}

/*
 * dlp_task_taint() - the taint of a task's process
 * @task: the task, e.g. bpf_get_current_task_btf()
 *
 * A process's taint is its thread group's: the higher of the thread's own
 * and its leader's (docs/hooks.md §4), so a thread started before its
 * leader read a labelled file is tainted too.  Non-sleepable programs only:
 * it reads task->group_leader.
 *
 * Cost: one task-storage lookup, two for a thread that is not the leader.
 *
 * Return: its enum dlp_class; DLP_CLASS_NONE when it has read nothing labelled.
 */
static __always_inline __u8 dlp_task_taint(struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	__u8 own = dlp_task_own_taint(task), group;

	if (!leader || leader == task)
		return own;
	group = dlp_task_own_taint(leader);
	return group > own ? group : own;
}

#endif /* DLP_BPF_TAINT_H */
