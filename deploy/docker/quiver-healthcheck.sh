#!/bin/bash
# The image's HEALTHCHECK: GET /readyz on the node's REST port answers 200 (no API key needed).
# Plain HTTP through bash's /dev/tcp, so the image needs no curl; with service.enable_tls the check
# is that the port accepts connections (probe /readyz over HTTPS from outside, as Kubernetes does).
port="${QUIVER__SERVICE__HTTP_PORT:-6333}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
if [[ "${QUIVER__SERVICE__ENABLE_TLS:-false}" == "true" ]]; then
  exit 0
fi
printf 'GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
[[ "$status" == *" 200 "* ]]
