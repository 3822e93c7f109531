#!/usr/bin/env bash
# scripts/peers/courier.sh start|stop|status|dir|port imap|pop3|version|users - a throwaway
# Courier-IMAP 5.0 / Courier POP3 (Debian 12) on loopback: IMAP 127.0.0.1:${COURIER_IMAP_PORT:-23143},
# POP3 ${COURIER_POP3_PORT:-23110}.
#
# Courier authenticates only through courier-authdaemond (system socket /run/courier/authdaemon,
# authpam by default), so its users are Unix accounts: `mpalice` and `mpbob`, password "secret",
# created with useradd when missing (names unlikely to clash with anything else on the machine),
# home directories under the state directory. Needs root.
# Packages: courier-base with apt-get (it brings courier-authdaemon); the daemons (courier-imap,
# courier-pop) conflict with dovecot-imapd, so they are fetched with `apt-get download` and
# unpacked with `dpkg -x` under the state directory. State: ${PEERS_DIR:-<repo>/target/peers}/courier,
# rebuilt by every start. Stop is by PID (the couriertcpd listeners and their children; the system
# authdaemond is left running if it was running before, else stopped).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BASE=${PEERS_DIR:-$REPO/target/peers}
D=$BASE/courier
PKG=$BASE/pkg/courier
IMAP_PORT=${COURIER_IMAP_PORT:-23143}
POP3_PORT=${COURIER_POP3_PORT:-23110}
U1=mpalice; U2=mpbob

pids() { local f; for f in "$D"/imap.pid "$D"/pop3.pid; do [ -f "$f" ] && cat "$f"; done; return 0; }
running() { local p; for p in $(pids); do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  [ "$(id -u)" = 0 ] || { echo "courier.sh needs root (Unix users, authdaemond)" >&2; exit 2; }
  if [ ! -x /usr/sbin/couriertcpd ] || [ ! -x /usr/sbin/authdaemond ]; then
    [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends courier-base >/dev/null
  fi
  if [ ! -x "$PKG/root/usr/bin/imapd" ]; then
    mkdir -p "$PKG"
    (cd "$PKG" && apt-get download -q courier-imap courier-pop >/dev/null 2>&1 && for f in *.deb; do dpkg -x "$f" root; done)
  fi
}

mail() {  # mail USER: Maildir with the sample messages (INBOX) and Archive, Sent, ... folders
  local home=$D/home/$1 n=0 flags=(S "" FS RS S S "" "" S "" "" "") f ts name box
  mkdir -p "$home/Maildir"/{cur,new,tmp}
  for box in Archive Drafts Sent Trash Junk; do mkdir -p "$home/Maildir/.$box"/{cur,new,tmp}; touch "$home/Maildir/.$box/maildirfolder"; done
  if [ "$1" = "$U1" ]; then
    for f in "$HERE"/messages/*.eml; do
      n=$((n + 1)); ts=$((1700000000 + n * 3600)); name="$ts.M${n}P1.peers:2,${flags[$((n - 1))]}"
      cp "$f" "$home/Maildir/cur/$name"; touch -d "@$ts" "$home/Maildir/cur/$name"
    done
    for f in 01-plain 06-thread-start; do
      n=$((n + 1)); ts=$((1700000000 + n * 3600)); name="$ts.M${n}P1.peers:2,S"
      cp "$HERE/messages/$f.eml" "$home/Maildir/.Archive/cur/$name"; touch -d "@$ts" "$home/Maildir/.Archive/cur/$name"
    done
  fi
  printf 'INBOX.Archive\nINBOX.Drafts\nINBOX.Sent\nINBOX.Trash\n' > "$home/Maildir/courierimapsubscribed"
  chown -R "$1:" "$home"
}

start() {
  if running; then echo "$D"; return 0; fi
  install
  rm -rf "$D"; mkdir -p "$D"/{home,log}; chmod 755 "$D"
  local u
  for u in $U1 $U2; do
    id "$u" >/dev/null 2>&1 || useradd --no-create-home --home-dir "$D/home/$u" --shell /usr/sbin/nologin "$u"
    usermod --home "$D/home/$u" "$u"; echo "$u:secret" | chpasswd
    mail "$u"
  done
  local ad=/run/courier/authdaemon
  if ! { [ -S $ad/socket ] && [ -f $ad/pid ] && kill -0 "$(cat $ad/pid)" 2>/dev/null; }; then
    mkdir -p /run/courier/authdaemon; chown courier:courier /run/courier/authdaemon
    /usr/sbin/authdaemond start; touch "$D/started-authdaemond"
    for _ in $(seq 1 50); do [ -f $ad/pid ] && kill -0 "$(cat $ad/pid)" 2>/dev/null && [ -S $ad/socket ] && break; sleep 0.1; done
  fi
  local R=$PKG/root cap="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE ACL ACL2=UNION AUTH=PLAIN"
  local common=(PATH=/usr/bin:/bin:/usr/sbin TCPREMOTEIP=127.0.0.1 MAILDIRPATH=Maildir)
  local tcpd=(/usr/sbin/couriertcpd -address=127.0.0.1 -maxprocs=40 -maxperip=40 -nodnslookup -noidentlookup)
  env -i "${common[@]}" IMAP_CAPABILITY="$cap" IMAP_KEYWORDS=1 IMAP_ACL=1 IMAP_IDLE_TIMEOUT=2 \
    IMAP_ENHANCEDIDLE=0 IMAP_USELOCKS=1 IMAP_TRASHFOLDERNAME=Trash IMAP_UMASK=022 IMAP_STARTTLS=NO \
    setsid "${tcpd[@]}" "$IMAP_PORT" "$R/usr/lib/courier/courier/imaplogin" "$R/usr/bin/imapd" Maildir \
    > "$D/log/imap.log" 2>&1 < /dev/null &
  echo $! > "$D/imap.pid"
  env -i "${common[@]}" POP3AUTH="PLAIN LOGIN" POP3_STARTTLS=NO \
    setsid "${tcpd[@]}" "$POP3_PORT" "$R/usr/lib/courier/courier/courierpop3login" "$R/usr/lib/courier/courier/courierpop3d" Maildir \
    > "$D/log/pop3.log" 2>&1 < /dev/null &
  echo $! > "$D/pop3.pid"
  for _ in $(seq 1 100); do
    if up "$IMAP_PORT" && up "$POP3_PORT"; then echo "$D"; return 0; fi
    sleep 0.1
  done
  echo "courier did not come up" >&2; cat "$D"/log/*.log >&2; exit 1
}

stop() {
  local p
  for p in $(pids); do
    kill $(ps -o pid= --ppid "$p" 2>/dev/null) 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
  for p in $(pids); do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  done
  rm -f "$D"/imap.pid "$D"/pop3.pid
  if [ -f "$D/started-authdaemond" ]; then
    local ad=/run/courier/authdaemon adpid
    adpid=$(cat $ad/pid 2>/dev/null || true)
    /usr/sbin/authdaemond stop >/dev/null 2>&1 || true
    # `authdaemond stop` returns before the daemon is gone; a start before that would fail
    if [ -n "$adpid" ]; then for _ in $(seq 1 100); do kill -0 "$adpid" 2>/dev/null || break; sleep 0.05; done; fi
    rm -f "$D/started-authdaemond"
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pids $(pids | tr '\n' ' ')) imap 127.0.0.1:$IMAP_PORT pop3 127.0.0.1:$POP3_PORT dir $D"; else echo stopped; exit 3; fi ;;
  dir) echo "$D" ;;
  port) case ${2:-} in imap) echo "$IMAP_PORT" ;; pop3) echo "$POP3_PORT" ;; *) exit 2 ;; esac ;;
  users) echo "$U1 $U2" ;;
  version) echo "Courier-IMAP $(dpkg-deb -f "$PKG"/courier-imap_*.deb Version 2>/dev/null | cut -d- -f1) (Debian 12 packages), scripts/peers/courier.sh" ;;
  *) echo "usage: $0 start|stop|status|dir|port imap|pop3|version|users" >&2; exit 2 ;;
esac
