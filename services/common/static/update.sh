#!/usr/bin/env bash
# Vendor Swagger UI and ReDoc from the npm registry into vendor/ (see README.md beside this file):
#   services/common/static/update.sh SWAGGER_UI_DIST_VERSION REDOC_VERSION
set -euo pipefail
cd "$(dirname "$0")"
swagger=${1:?usage: update.sh SWAGGER_UI_DIST_VERSION REDOC_VERSION}
redoc=${2:?usage: update.sh SWAGGER_UI_DIST_VERSION REDOC_VERSION}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "swagger-ui-dist@$swagger" "redoc@$redoc" >/dev/null)
mkdir -p "$work/swagger" "$work/redoc"
tar xzf "$work/swagger-ui-dist-$swagger.tgz" -C "$work/swagger"
tar xzf "$work/redoc-$redoc.tgz" -C "$work/redoc"

s="vendor/swagger-ui-$swagger"
r="vendor/redoc-$redoc"
rm -rf "$s" "$r"
mkdir -p "$s" "$r"
cp "$work"/swagger/package/{swagger-ui-bundle.js,swagger-ui-bundle.js.LICENSE.txt,swagger-ui.css} "$s/"
cp "$work"/swagger/package/{favicon-32x32.png,LICENSE,NOTICE} "$s/"
cp "$work"/redoc/package/bundles/{redoc.standalone.js,redoc.standalone.js.LICENSE.txt} "$work"/redoc/package/LICENSE "$r/"

# The one change to what npm ships: ReDoc's sidebar shows Redocly's logo from their CDN, which a closed
# network cannot reach (and the page's CSP refuses). With an empty src the image fails at once and
# ReDoc's own error handler hides it; the "API docs by Redocly" link stays.
sed -i 's#"https://cdn.redoc.ly/redoc/logo-mini.svg"#""#' "$r/redoc.standalone.js"
if grep -q 'cdn\.redoc\.ly' "$r/redoc.standalone.js"; then
  echo "update.sh: $r/redoc.standalone.js still loads something from Redocly's CDN: patch it here" >&2
  exit 1
fi

echo "vendored $s and $r; npm's integrity of what was packed:"
for tarball in "$work"/*.tgz; do
  echo "  $(basename "$tarball"): sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
done
echo "now: point SWAGGER_UI and REDOC in services/common/docs.py at the new folders, update README.md"
echo "here, remove the old folders, and run tests/e2e/test_api_docs.py (it shows any CSP hash to change)"
