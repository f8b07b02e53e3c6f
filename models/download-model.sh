#!/usr/bin/env bash
# Downloads a whisper.cpp ggml model into this directory and verifies it before it can be used.
#
#   models/download-model.sh NAME        e.g. base.en (the default model), tiny.en, small, large-v3-turbo
#   models/download-model.sh --list      names, sizes
#
# Writes models/ggml-NAME.bin and models/ggml-NAME.bin.sha256 (sha256sum format), which the service checks before
# loading. The file is fetched to ggml-NAME.bin.partial and only moved into place when both its SHA-256 (published
# for the Hugging Face files) and its SHA-1 (listed in whisper.cpp's models/README.md) match. An interrupted download
# resumes where it stopped (up to 3 attempts per run; running the script again continues the same .partial file); a
# download that does not match is deleted, never installed.
#
# WHISPER_MODEL_BASE_URL overrides the source (a mirror, or file:///dir for an offline copy).
# WHISPER_MODEL_CATALOGUE names a file of extra "name|size|sha256|sha1" lines (sha1 may be "-") for models of your
# own (a fine-tuned model on an internal mirror); the names below cannot be redefined there.
# Exit codes: 0 installed (or already present and verified), 1 download or verification failed, 2 usage.
set -euo pipefail

BASE_URL="${WHISPER_MODEL_BASE_URL:-https://huggingface.co/ggerganov/whisper.cpp/resolve/main}"
MODELS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ATTEMPTS=3

# name | size | sha256 | sha1
CATALOGUE="
tiny|75 MiB|be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21|bd577a113a864445d4c299885e0cb97d4ba92b5f
tiny.en|75 MiB|921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f|c78c86eb1a8faa21b369bcd33207cc90d64ae9df
base|142 MiB|60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe|465707469ff3a37a2b9b8d8f89f2f99de7299dac
base.en|142 MiB|a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002|137c40403d78fd54d454da0f9bd998f78703390c
small|466 MiB|1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b|55356645c2b361a969dfd0ef2c5a50d530afd8d5
small.en|466 MiB|c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d|db8a495a91d927739e50b3fc1cc4c6b8f6c2d022
medium|1.5 GiB|6c14d5adee5f86394037b4e4e8b59f1673b6cee10e3cf0b11bbdbee79c156208|fd9727b6e1217c2f614f9b698455c4ffd82463b4
medium.en|1.5 GiB|cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356|8c30f0e44ce9560643ebd10bbe50cd20eafd3723
large-v1|2.9 GiB|7d99f41a10525d0206bddadd86760181fa920438b6b33237e3118ff6c83bb53d|b1caaf735c4cc1429223d5a74f0f4d0b9b59a299
large-v2|2.9 GiB|9a423fe4d40c82774b6af34115b8b935f34152246eb19e80e376071d3f999487|0f4c8e34f21cf1a914c59d8b3ce882345ad349d6
large-v3|2.9 GiB|64d182b440b98d5203c4f9bd541544d84c605196c4f7b845dfa11fb23594d1e2|ad82bf6a9043ceed055076d0fd39f5f186ff8062
large-v3-turbo|1.5 GiB|1fc70f774d38eb169993ac391eea357ef47c88757ef72ee5943879b7e8e2bc69|4af2b29d7ec73d781377bfd1758ca957a807e941
"

usage() {
    echo "usage: $(basename "$0") NAME | --list" >&2
    echo "NAME is one of: $(names | tr '\n' ' ')" >&2
    echo "(base.en is the service's default; see models/README.md to choose)" >&2
}

catalogue() { # the built-in list, then the extra one's names that are not built in
    echo "$CATALOGUE"
    if [ -n "${WHISPER_MODEL_CATALOGUE:-}" ]; then
        if [ ! -r "$WHISPER_MODEL_CATALOGUE" ]; then
            echo "WHISPER_MODEL_CATALOGUE=$WHISPER_MODEL_CATALOGUE is not a readable file" >&2
            exit 2
        fi
        local builtin
        builtin="$(echo "$CATALOGUE" | awk -F'|' 'NF == 4 { print $1 }')"
        grep -v '^[[:space:]]*#' "$WHISPER_MODEL_CATALOGUE" \
            | awk -F'|' -v builtin="$builtin" 'BEGIN { split(builtin, b, "\n"); for (i in b) known[b[i]] = 1 }
                NF == 4 && !($1 in known) && $1 ~ /^[A-Za-z0-9._-]+$/ && $3 ~ /^[0-9a-f]{64}$/ { print }'
    fi
}

names() {
    catalogue | awk -F'|' 'NF == 4 { print $1 }'
}

entry() {
    catalogue | awk -F'|' -v name="$1" 'NF == 4 && $1 == name { print; exit }'
}

digest() { # algorithm file
    if command -v "${1}sum" >/dev/null 2>&1; then
        "${1}sum" "$2" | awk '{ print $1 }'
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a "${1#sha}" "$2" | awk '{ print $1 }'
    else
        echo "need ${1}sum or shasum to verify the download" >&2
        exit 1
    fi
}

verified() { # file sha256 sha1 ("-": none published)
    [ -f "$1" ] && [ "$(digest sha256 "$1")" = "$2" ] && { [ "$3" = "-" ] || [ "$(digest sha1 "$1")" = "$3" ]; }
}

size_of() {
    if [ -f "$1" ]; then wc -c < "$1" | tr -d ' '; else echo 0; fi
}

# One attempt: appends to the target from where it stops (HTTP Range, or the file:// offset). A server that refuses
# ranges (curl exit 33) gets the whole file again.
fetch_once() { # url target
    if command -v curl >/dev/null 2>&1; then
        local status=0
        curl --fail --location --show-error --progress-bar --connect-timeout 20 --speed-limit 1024 --speed-time 60 \
            --continue-at - --output "$2" "$1" || status=$?
        if [ "$status" -eq 33 ]; then
            echo "the server does not resume downloads; starting $2 again from the beginning" >&2
            rm -f -- "$2"
            curl --fail --location --show-error --progress-bar --connect-timeout 20 --output "$2" "$1" || status=$?
        fi
        return "$status"
    elif command -v wget >/dev/null 2>&1; then
        wget --continue --quiet --show-progress --output-document="$2" "$1"
    else
        echo "need curl or wget to download models" >&2
        exit 1
    fi
}

fetch() { # url target
    local attempt
    for attempt in $(seq 1 "$ATTEMPTS"); do
        if fetch_once "$1" "$2"; then
            return 0
        fi
        if [ "$attempt" -lt "$ATTEMPTS" ]; then
            echo "download interrupted at $(size_of "$2") bytes; resuming (attempt $((attempt + 1)) of $ATTEMPTS)" >&2
            sleep "$attempt"
        fi
    done
    echo "download of $1 failed after $ATTEMPTS attempts; $(size_of "$2") bytes are kept in $2:" \
        "run the same command again to resume" >&2
    return 1
}

main() {
    if [ "$#" -ne 1 ]; then
        usage
        exit 2
    fi
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --list) echo "$CATALOGUE" | awk -F'|' 'NF == 4 { printf "%-16s %s\n", $1, $2 }'; exit 0 ;;
    esac
    local name="$1" line
    line="$(entry "$name")"
    if [ -z "$line" ]; then
        echo "unknown model '$name'" >&2
        usage
        exit 2
    fi
    local size sha256 sha1
    size="$(echo "$line" | cut -d'|' -f2)"
    sha256="$(echo "$line" | cut -d'|' -f3)"
    sha1="$(echo "$line" | cut -d'|' -f4)"

    local file="ggml-$name.bin"
    local target="$MODELS_DIR/$file"
    if verified "$target" "$sha256" "$sha1"; then
        echo "$target is already present and verified"
    else
        local partial="$target.partial"
        if [ -s "$partial" ]; then
            echo "Resuming $file ($size) from $BASE_URL at $(size_of "$partial") bytes ..."
        else
            echo "Downloading $file ($size) from $BASE_URL ..."
        fi
        fetch "$BASE_URL/$file" "$partial" || exit 1
        if ! verified "$partial" "$sha256" "$sha1"; then
            echo "checksum mismatch for $file: expected SHA-256 $sha256, got $(digest sha256 "$partial");" \
                "the download is corrupt or not the published model, nothing was installed" >&2
            rm -f -- "$partial"
            exit 1
        fi
        mv -f -- "$partial" "$target"
    fi
    echo "$sha256  $file" > "$target.sha256"
    echo "Model ready: $target (SHA-256 $sha256)"
    echo "Use it with WHISPER_MODEL=$target (the service checks $file.sha256 before loading)"
}

main "$@"
