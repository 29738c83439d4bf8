#!/bin/sh
# The keys every gateway replica of the compose stack must share, generated once into docker/secrets/
# (never committed): the platform's response-signing key (LGSP_SIGNING_KEY) and the backend JWT key
# (LGSP_BACKEND_JWT_KEY), EC P-256 in PKCS#8 PEM. Readable by the containers' `node` user (uid 1000)
# through the compose secrets' bind mounts: keep this directory private to you on the host.
set -eu
dir=$(dirname "$0")
for name in platform-signing-key backend-jwt-key; do
  if [ ! -f "$dir/$name.pem" ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.pem"
    chmod 0644 "$dir/$name.pem"
    echo "generated $dir/$name.pem"
  fi
done
