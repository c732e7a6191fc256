#!/usr/bin/env bash
# The xDS and Envoy .proto files Proxyless.Xds compiles, taken unmodified from the npm package @grpc/grpc-js-xds at a
# pinned version (its deps/ folder holds envoy-api, cncf/xds, googleapis and protoc-gen-validate), checked against the
# registry's integrity hash.
#   third_party/xds/fetch.sh           copies the files listed in files.txt into protos/ (replacing what is there)
#   third_party/xds/fetch.sh --check   verifies that protos/ holds exactly those files, byte for byte
# files.txt lists each file as <source>/<path>; it lands at protos/<path>, so one import root serves them all.
set -euo pipefail

VERSION=1.14.1
INTEGRITY='sha512-F2mVXwEeMWw1znPUrp+8ykjsIOVnf7Rv+EyIvXOfz73w5tNolCnzokpLkE/d2Ehx30PJmZXqCQdMpx8DcBJohA=='
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-fetch}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@grpc/grpc-js-xds@$VERSION" >/dev/null)
tarball=$(ls "$work"/*.tgz)
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [[ "$actual" != "$INTEGRITY" ]]; then
    echo "fetch.sh: @grpc/grpc-js-xds@$VERSION does not match its pinned integrity ($actual)" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$work"

status=0
while read -r entry; do
    [[ -z "$entry" ]] && continue
    source="$work/package/deps/$entry"
    target="$here/protos/${entry#*/}"
    if [[ ! -f "$source" ]]; then
        echo "fetch.sh: $entry is not in @grpc/grpc-js-xds@$VERSION" >&2
        exit 1
    fi
    if [[ "$mode" == "--check" ]]; then
        if ! cmp -s "$source" "$target"; then
            echo "fetch.sh: protos/${entry#*/} differs from @grpc/grpc-js-xds@$VERSION deps/$entry" >&2
            status=1
        fi
    else
        mkdir -p "$(dirname "$target")"
        cp "$source" "$target"
    fi
done < "$here/files.txt"

if [[ "$mode" == "--check" ]]; then
    extra=$(cd "$here/protos" && find . -name '*.proto' | sed 's|^\./||' | sort | comm -23 - <(sed 's|^[^/]*/||' "$here/files.txt" | sort))
    if [[ -n "$extra" ]]; then
        echo "fetch.sh: protos/ holds files not in files.txt: $extra" >&2
        status=1
    fi
    [[ $status == 0 ]] && echo "protos/ matches @grpc/grpc-js-xds@$VERSION ($(grep -c . "$here/files.txt") files)"
fi
exit $status
