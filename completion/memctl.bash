# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for memctl(8), on top of the bash-completion library.
#
# Nothing here is a copy of what memctl knows: the verbs and the device and
# reset-target names come from memctl itself (hidden "memctl __complete
# verbs|devices|targets", names from the live inventory under --root or
# $MEMCTL_SYSFS_ROOT), the options and their values from the "Usage:" line of
# "memctl VERB --help" and the Options of "memctl --help".

# The usage line of a verb, e.g. "memctl online [--zone movable|normal|auto] DEVICE".
_memctl_usage()
{
    "${_memctl_cmd[@]}" "$1" --help 2>/dev/null | sed -n 's/^Usage: //p' | head -n1
}

_memctl()
{
    local cur prev words cword split
    # -n : keeps PCI addresses (0000:0d:00.0) one word; -s splits --opt=value.
    _init_completion -s -n : || return

    # memctl as typed, with its global --root, runs the listings below.
    local -a _memctl_cmd=("${words[0]}")
    local i verb= verb_i=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --root) _memctl_cmd+=(--root "${words[i + 1]}"); ((i++)) ;;
            --root=*) _memctl_cmd+=("${words[i]}") ;;
            -*) ;;
            *) verb=${words[i]}; verb_i=$i; break ;;
        esac
    done

    if [[ -z $verb ]]; then
        if [[ $prev == --root ]]; then
            _filedir -d
        elif [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$("${_memctl_cmd[@]}" --help 2>/dev/null |
                sed -n '/^Options:/,$p' | grep -o -- '--[a-z][a-z-]*')" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$("${_memctl_cmd[@]}" __complete verbs 2>/dev/null)" -- "$cur"))
        fi
        return
    fi

    local usage
    usage=$(_memctl_usage "$verb")
    [[ -n $usage ]] || return

    # The value of an option: "[--zone movable|normal|auto]" lists them,
    # "[--policy FILE]" wants a file.
    if [[ $prev == --* ]]; then
        local spec
        spec=$(grep -o -- "\[$prev [^]]*\]" <<<"$usage" | head -n1)
        if [[ -n $spec ]]; then
            spec=${spec#"[$prev "}
            spec=${spec%]}
            case $spec in
                *'|'*) COMPREPLY=($(compgen -W "${spec//|/ }" -- "$cur")) ;;
                DIR) _filedir -d ;;
                *) _filedir ;;
            esac
            return
        fi
    fi
    [[ $split == true ]] && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(grep -o -- '--[a-z][a-z-]*' <<<"$usage") --help" -- "$cur"))
        return
    fi

    # Positional arguments: what the usage line names after the options.
    local placeholder n=0
    placeholder=$(sed 's/\[--[^]]*\]//g; s/^memctl [^ ]*//; s/[][]//g' <<<"$usage" | awk '{ print $1 }')
    for ((i = verb_i + 1; i < cword; i++)); do
        case ${words[i]} in
            --*=*) ;;
            -*) [[ $usage == *"[${words[i]} "* ]] && ((i++)) ;;
            *) ((n++)) ;;
        esac
    done
    [[ $placeholder != *... ]] && ((n > 0)) && return
    case ${placeholder%...} in
        DEVICE) COMPREPLY=($(compgen -W "$("${_memctl_cmd[@]}" __complete devices 2>/dev/null)" -- "$cur")) ;;
        TARGET) COMPREPLY=($(compgen -W "$("${_memctl_cmd[@]}" __complete targets 2>/dev/null)" -- "$cur")) ;;
        FILE) _filedir ;;
    esac
    __ltrim_colon_completions "$cur"
} &&
    complete -F _memctl memctl
