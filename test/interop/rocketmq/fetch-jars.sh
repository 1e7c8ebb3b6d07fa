#!/usr/bin/env bash
# Fetches Apache RocketMQ's namesrv, broker, client and tools jars (one version) from Maven Central
# into a cache outside git, for the interop tests: test/interop/rocketmq/fetch-jars.sh 4.9.7 [5.3.3 ...]
#
# Cache: ${SKIFF_INTEROP_CACHE:-$HOME/.cache/skiff-interop}/<version>/lib (jars), <cache>/m2 (Maven's
# local repository). Idempotent: a version whose lib dir holds a `.complete` marker is skipped.
# Exit 0 when every version is there; non-zero with a message on stderr when Maven fails.
set -euo pipefail

cache="${SKIFF_INTEROP_CACHE:-${HOME:-/tmp}/.cache/skiff-interop}"
[ "$#" -gt 0 ] || { echo "usage: $0 <rocketmq-version>..." >&2; exit 2; }
command -v mvn >/dev/null || { echo "fetch-jars: Maven (mvn) is not on PATH; install Maven 3.8+ (apt-get install maven)" >&2; exit 3; }

for version in "$@"; do
  case "$version" in
    *[!0-9A-Za-z.-]*|"") echo "fetch-jars: bad version '$version'" >&2; exit 2 ;;
  esac
  lib="$cache/$version/lib"
  if [ -f "$lib/.complete" ]; then
    echo "fetch-jars: RocketMQ $version already in $lib"
    continue
  fi
  work="$cache/$version/pom"
  rm -rf "$lib" "$work"
  mkdir -p "$lib" "$work"
  deps=""
  for artifact in rocketmq-namesrv rocketmq-broker rocketmq-client rocketmq-tools; do
    deps="$deps<dependency><groupId>org.apache.rocketmq</groupId><artifactId>$artifact</artifactId><version>$version</version></dependency>"
  done
  cat >"$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>skiff.interop</groupId>
  <artifactId>rocketmq-peer-$version</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>$deps</dependencies>
</project>
POM
  echo "fetch-jars: fetching RocketMQ $version into $lib"
  log="$work/mvn.log"
  if ! (cd "$work" && mvn -q -B -Dmaven.repo.local="$cache/m2" \
        -DoutputDirectory="$lib" -DincludeScope=runtime \
        dependency:copy-dependencies) >"$log" 2>&1; then
    echo "fetch-jars: Maven could not fetch org.apache.rocketmq:{namesrv,broker,client,tools}:$version from Maven Central." >&2
    echo "fetch-jars: is Maven Central reachable (proxy settings in ~/.m2/settings.xml)? Last lines of $log:" >&2
    tail -n 25 "$log" >&2
    exit 4
  fi
  count=$(find "$lib" -name '*.jar' | wc -l)
  for artifact in rocketmq-namesrv rocketmq-broker rocketmq-client rocketmq-tools; do
    [ -f "$lib/$artifact-$version.jar" ] || { echo "fetch-jars: $artifact-$version.jar missing after Maven ran ($count jars in $lib)" >&2; exit 4; }
  done
  touch "$lib/.complete"
  echo "fetch-jars: RocketMQ $version ready ($count jars)"
done
