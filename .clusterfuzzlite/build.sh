#!/bin/bash -eu
# ClusterFuzzLite: the same build as OSS-Fuzz.
exec "$SRC/mailproto/fuzz/oss-fuzz/build.sh"
