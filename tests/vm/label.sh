#!/bin/sh
# tests/vm/label.sh - `dlpctl label set|show` while dlpd enforces policy/default.policy with
# 'label xattr user.dlpguard.label' and --label-scan /srv/docs (ext4: 6.1's tmpfs keeps no
# user.* attributes). Labelling a file 機密性2 makes copying it to the registered stick refused
# at once, labelling another 完全性2 makes deleting it refused; `none` takes a label off again;
# each is a "label" line (who, why, the value before) and a new generation. `label show` names
# where each level comes from: the attribute, a 'label dir' with its line, a 'label prefix'.
# A file outside the scanned directories, or a policy without 'label xattr', is refused and
# nothing changes. A dlpd restarted with SIGKILL keeps the labels and still explains them.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd $BUILD/dlpctl policy/default.policy
. tests/vm/lib/vmtest.sh
. tests/vm/lib/dlpd.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
echo "tanaka:x:1000:1000:田中:/tmp:/bin/sh" >>/etc/passwd
echo "tanaka:x:1000:" >>/etc/group
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/srv/docs /mnt/usb /var/log/dlpguard /etc/dlpguard
dd if=/dev/zero of=/tmp/docs.img bs=1M count=16 2>/dev/null &&
	mke2fs -F -I 256 /tmp/docs.img >/dev/null 2>&1 &&
	mount -t ext4 -o loop /tmp/docs.img /srv/docs || vm_fail "an ext4 image at /srv/docs"
echo "住民票の写し" >/srv/docs/住民票.txt
echo "文書管理規程" >/srv/docs/規程.txt
echo "お知らせ" >/srv/docs/お知らせ.txt
echo "下書き" >/srv/docs/機2_下書き.txt
echo "台帳" >/srv/share/機密性2/台帳.txt
chmod 777 /srv/docs && chmod 666 /srv/docs/*.txt && chmod -R a+rX /srv/share
echo "外部" >/tmp/outside.txt
log=/var/log/dlpguard/decisions.jsonl
policy=/etc/dlpguard/policy
{ cat policy/default.policy; echo "label xattr user.dlpguard.label"; } >"$policy"
mount -t vfat -o uid=1000 "/dev/${reg}1" /mnt/usb || vm_fail "mount the registered stick"

start() { dlpd_start "$policy" --label-scan /srv/docs; }
generation() { dlpd_generation; }
as_tanaka() { su -s /bin/sh tanaka -c "$1"; }
copies() { as_tanaka "cp '$1' /mnt/usb/"; }
refused_copy() { ! copies "$1"; }

vm_check "dlpd starts, reading label attributes under /srv/docs" start
vm_check "an unlabelled file can be copied to the stick" copies /srv/docs/住民票.txt
rm -f /mnt/usb/住民票.txt

vm_check "label set 機密性2" build/dlpctl label set /srv/docs/住民票.txt 機密性2 \
	--reason "住民情報を含む"
vm_eq "the policy was applied again: generation 2" 2 "$(generation)"
vm_check "now copying it to the stick is refused" refused_copy /srv/docs/住民票.txt
vm_check "nothing of it is left there" sh -c "! test -e /mnt/usb/住民票.txt"
vm_check "an unlabelled neighbour still copies" copies /srv/docs/お知らせ.txt
vm_check "the log has the label line, by root, with the reason" grep -q \
	'"type":"label".*"path":"/srv/docs/住民票.txt","attribute":"user.dlpguard.label","class":"機密性2","integrity":null,"previous":null,"by":{"uid":0,"user":"root"},"reason":"住民情報を含む"' \
	"$log"
vm_check "and the policy line of the labels' generation" grep -q \
	'"type":"policy".*"event":"labels".*"generation":2,' "$log"

build/dlpctl label show /srv/docs/住民票.txt >/tmp/show.out
cat /tmp/show.out
vm_check "label show: 機密性2, from its attribute" sh -c \
	"head -n 1 /tmp/show.out | grep -q ': 機密性2\$' && grep -q 'its label attribute' /tmp/show.out"
build/dlpctl label show /srv/share/機密性2/台帳.txt >/tmp/show.out
cat /tmp/show.out
vm_check "a file in a label directory: the 'label dir' and its line" grep -q \
	"below /srv/share/機密性2: 'label dir /srv/share/機密性2' (line [0-9]*): 機密性2" /tmp/show.out
build/dlpctl label show --json /srv/docs/機2_下書き.txt >/tmp/show.out
cat /tmp/show.out
vm_check "a prefixed name: the 'label prefix' (--json)" grep -q \
	'^{"path":"/srv/docs/機2_下書き.txt","class":"機密性2","integrity":null,"sources":\["its name starts with' \
	/tmp/show.out

vm_check "label set 完全性2" build/dlpctl label set /srv/docs/規程.txt 完全性2
vm_check "tanaka cannot delete it" sh -c "! su -s /bin/sh tanaka -c 'rm -f /srv/docs/規程.txt'"
vm_check "it is still there" test -e /srv/docs/規程.txt
vm_check "an unlabelled file of the same folder can be deleted" as_tanaka "rm /srv/docs/お知らせ.txt"

build/dlpctl label set /tmp/outside.txt 機密性3 >/tmp/out 2>&1
vm_eq "a file outside the scanned directories: exit 8" 8 "$?"
cat /tmp/out
vm_check "saying why" grep -q "not under a directory dlpd reads label attributes from" /tmp/out
build/dlpctl label set /srv/docs/住民票.txt 機密性9 >/tmp/out 2>&1
vm_eq "a level that does not exist: exit 2" 2 "$?"
gen=$(generation)

kill -9 "$dlpd_pid"
wait "$dlpd_pid" 2>/dev/null
vm_check "a dlpd started again takes the pins over" start
vm_eq "with the same generation" "$gen" "$(generation)"
vm_check "the label still holds" refused_copy /srv/docs/住民票.txt
vm_check "and is still explained" sh -c \
	"build/dlpctl label show /srv/docs/住民票.txt | head -n 1 | grep -q ': 機密性2\$'"

vm_check "label set none" build/dlpctl label set /srv/docs/住民票.txt none
vm_check "the file copies again" copies /srv/docs/住民票.txt
vm_check "the label line says what it was" grep -q \
	'"type":"label".*"path":"/srv/docs/住民票.txt".*"class":null,"integrity":null,"previous":"機密性2"' \
	"$log"

vm_check "a policy without 'label xattr' applied" build/dlpctl policy apply policy/default.policy
build/dlpctl label set /srv/docs/機2_下書き.txt 機密性1 >/tmp/out 2>&1
vm_eq "then label set: exit 8" 8 "$?"
cat /tmp/out
vm_check "saying the policy has no 'label xattr'" grep -q "no 'label xattr'" /tmp/out

umount /mnt/usb
kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
build/dlpd --unload >/dev/null
vm_ok "done"
