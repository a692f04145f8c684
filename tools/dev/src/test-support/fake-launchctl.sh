#!/bin/bash
# The fake `launchctl` executable (what it plays and why it is resident: fake-launchctl.ts). It
# hands the call (arguments, environment, working directory, uid) to the resident fake launchd of
# $FAKE_LAUNCHCTL_STATE (fake-launchd-server.ts) and gives back its answer: stdout, stderr, exit
# code. Only bash builtins on the way (/dev/tcp, printf, read), so a call costs a few milliseconds,
# as a Mac's launchctl does; the server is started when none answers for the folder.
# Built into tools/dev/dist/runtime/fake-launchctl (tools/dev/bin/build-cli.mjs).
state=${FAKE_LAUNCHCTL_STATE-}
if [[ -z $state ]]; then
  echo 'fake launchctl: FAKE_LAUNCHCTL_STATE is not set' >&2
  exit 64
fi
# One server per folder and per built server program: checkouts on one machine share the default
# folder, and each answers with its own build. Its port file names both.
program=${BASH_SOURCE[0]}
[[ $program == /* ]] || program=$PWD/$program
[[ -L $program ]] && program=$(readlink -f "$program")
server=${program%/*}/fake-launchd-server.mjs
port_file=$state/fake-launchd-server${server//\//_}.port
# A server that goes away mid-call makes a write fail, not this script die.
trap '' PIPE

# Exits with the answer of the server the folder records; returns 1 when no server of this folder
# took the call (none recorded, none listening, one of another port file, or one that closed
# before reading it: the call did not run). The longest answer (a bootstrap) takes ~5 s: silence for
# 30 s is not a fake launchd (a port file left by a server killed outright, its port since taken).
ask() {
  local port code out err name
  local -a env=()
  { IFS= read -r port <"$port_file"; } 2>/dev/null || return 1
  [[ $port =~ ^[0-9]+$ ]] || return 1
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  for name in $(compgen -e); do env+=("$name=${!name}"); done
  if ! printf '%s\0' call "$port_file" "$PWD" "$UID" "$#" "$@" "${env[@]}" '' >&3 2>/dev/null ||
    ! IFS= read -r -t 30 -d '' code <&3 || ! IFS= read -r -d '' out <&3 || ! IFS= read -r -d '' err <&3 ||
    [[ ! $code =~ ^[0-9]+$ ]]; then
    exec 3<&-
    return 1
  fi
  exec 3<&-
  # A reader that stopped early (`| head -1`) gets what it took, with no complaint on stderr.
  printf '%s' "$out" 2>/dev/null
  printf '%s' "$err" >&2
  exit "$code"
}

ask "$@"

# No server answers for the folder: start one, detached in a session of its own, with none of the
# caller's environment (it must not pass for a process of the caller's checkout: the tests look for
# those by their environment), and ask again until it does. Several calls starting servers at once
# is fine: one records its port, the others exit.
for ((try = 0; try < 1000; try++)); do
  if ((try % 200 == 0)); then
    setsid env -i "PATH=$PATH" node "$server" "$port_file" </dev/null >/dev/null 2>&1 &
  fi
  sleep 0.01
  ask "$@"
done
echo "fake launchctl: no fake launchd answered for $state within 10 s (server: $server)" >&2
exit 70
