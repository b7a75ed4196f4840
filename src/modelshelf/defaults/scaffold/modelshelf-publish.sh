#!/bin/sh
# Publishes the model version a registry tag registers (or assigns to a deploy stage),
# for the CI jobs that `modelshelf init` wrote. POSIX sh; needs modelshelf, git,
# sha256sum, GNU tar and gzip (for folder models), and `gh` (GitHub) or `curl` (GitLab).
#
# In (environment, as the registry-event job reports them):
#   MODELSHELF_EVENT, MODELSHELF_NAME, MODELSHELF_VERSION, MODELSHELF_STAGE
#   MODELSHELF_DEPLOY_STAGES  stages whose assignment publishes too (comma or space separated)
#   MODELSHELF_PLATFORM       github: an asset of the GitHub Release on the version's tag
#                             (gh, with GH_TOKEN and GH_REPO); gitlab: the project's generic
#                             package registry (curl, with CI_JOB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID)
# Out: MODEL_EVENT, MODEL_NAME, MODEL_VERSION, MODEL_STAGE, MODEL_PATH (the verified
#   file or folder), MODEL_SHA256 (of the published file), MODEL_ASSET, appended as
#   KEY=value lines to $MODELSHELF_OUTPUT, else $GITHUB_OUTPUT, for the deploy step.
# Nothing to publish (another event, or a stage not listed): exit 0 with no output.
set -eu

fail() { printf 'modelshelf-publish: %s\n' "$*" >&2; exit 1; }
# One name for a file or package: what the platforms accept in asset and package names.
safe() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }

event=${MODELSHELF_EVENT:-}
name=${MODELSHELF_NAME:-}
version=${MODELSHELF_VERSION:-}
stage=${MODELSHELF_STAGE:-}
platform=${MODELSHELF_PLATFORM:-}
work=.modelshelf-publish  # in the checkout, replaced on every run
output=${MODELSHELF_OUTPUT:-${GITHUB_OUTPUT:-}}

case $event in
  registration) ;;
  assignment)
    stages=$(printf '%s' "${MODELSHELF_DEPLOY_STAGES:-}" | tr ',' ' ')
    case " $stages " in
      *" $stage "*) ;;
      *) echo "stage '$stage' is not a deploy stage (${stages:-none listed}): nothing to publish"; exit 0 ;;
    esac ;;
  *) echo "event '${event:-none}': nothing to publish"; exit 0 ;;
esac
case $platform in github|gitlab) ;; *) fail "MODELSHELF_PLATFORM must be github or gitlab, not '$platform'" ;; esac
# Names, versions and stages follow the tag grammar; refuse anything else before it reaches
# a command line or the output file that the deploy step reads.
for value in "$name" "$version" "$stage"; do
  case $value in *[!A-Za-z0-9._+/:-]*) fail "unexpected character in '$value'" ;; esac
done
[ -n "$name" ] || fail "MODELSHELF_NAME is empty"
case $version in
  v[0-9]*) ;;
  *) fail "$name: the assigned commit has no registered version ('$version'): register it first" ;;
esac

# The version's own tag (a sub-folder model's ':' is '=' in tags): the release lives there.
tag="$(printf '%s' "$name" | tr ':' '=')@$version"
git rev-parse --quiet --verify "refs/tags/$tag" >/dev/null || fail "tag $tag not found: fetch the tags first"

rm -rf "$work"
mkdir -p "$work/download" "$work/model" "$work/asset"
# Exactly that version, from the repository's Git objects, checked against the registry's checksum.
modelshelf download "$name@$version" --repo . -o "$work/download"
set -- "$work/download"/* "$work/download"/.[!.]*
for found in "$@"; do [ -e "$found" ] && break; done
[ -e "$found" ] || fail "modelshelf download wrote nothing"
base=$(safe "$(basename "$found")")
model="$work/model/$base"
mv "$found" "$model"
if [ -d "$model" ]; then
  # A folder model is published as one reproducible archive.
  asset="$work/asset/$(safe "$name")-$(safe "$version")-$base.tar.gz"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
    -C "$work/model" -cf - "$base" | gzip -n > "$asset"
else
  asset="$work/asset/$(safe "$name")-$(safe "$version")-$base"
  cp "$model" "$asset"
fi
sha=$(sha256sum "$asset" | cut -d' ' -f1)
file=$(basename "$asset")
printf '%s  %s\n' "$sha" "$file" > "$asset.sha256"

if [ "$platform" = github ]; then
  prerelease=
  case $version in *-*) prerelease=--prerelease ;; esac
  if ! gh release view "$tag" >/dev/null 2>&1; then
    # Another job may create it at the same moment (a registration and an assignment pushed together).
    gh release create "$tag" --verify-tag $prerelease --title "$name $version" \
      --notes "Model $name $version, published by modelshelf from tag $tag." \
      || gh release view "$tag" >/dev/null
  fi
  gh release upload "$tag" "$asset" "$asset.sha256" --clobber
  echo "published $file to the release $tag"
else
  [ -n "${CI_API_V4_URL:-}" ] && [ -n "${CI_PROJECT_ID:-}" ] && [ -n "${CI_JOB_TOKEN:-}" ] \
    || fail "CI_API_V4_URL, CI_PROJECT_ID and CI_JOB_TOKEN must be set (GitLab CI sets them)"
  url="$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/generic/$(safe "$name")/$(safe "$version")"
  for upload in "$asset" "$asset.sha256"; do
    curl --fail --silent --show-error --header "JOB-TOKEN: $CI_JOB_TOKEN" \
      --upload-file "$upload" "$url/$(basename "$upload")" >/dev/null
  done
  echo "published $file to $url/"
fi

if [ -n "$output" ]; then
  {
    echo "MODEL_EVENT=$event"
    echo "MODEL_NAME=$name"
    echo "MODEL_VERSION=$version"
    echo "MODEL_STAGE=$stage"
    echo "MODEL_PATH=$model"
    echo "MODEL_SHA256=$sha"
    echo "MODEL_ASSET=$asset"
  } >> "$output"
fi
