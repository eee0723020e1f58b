# match-output.awk — does a run's output match the output a lesson shows?
#
#   awk -f match-output.awk expected actual     (exit 0: it matches)
#
# Both sides are normalised first: pids and references that vary from run
# to run become names in order of first appearance (#PID<0.P1>, #PID<C.P2>:
# whether a pid is local, first number 0, is kept; the same pid must be the
# same on both sides), and in the expected text "…" matches any characters.
function norm(s, side,    out, m, key, pre) {
    out = ""
    while (match(s, /#PID<[0-9]+\.[0-9]+\.[0-9]+>|#Reference<[0-9.]+>/)) {
        m = substr(s, RSTART, RLENGTH)
        out = out substr(s, 1, RSTART - 1)
        s = substr(s, RSTART + RLENGTH)
        if (m ~ /^#PID/) {
            key = m; sub(/^#PID<[0-9]+\./, "", key)
            pre = (m ~ /^#PID<0\./) ? "0" : "C"
            if (!((side, "p", key) in seen)) seen[side, "p", key] = "P" (++np[side])
            out = out "#PID<" pre "." seen[side, "p", key] ">"
        } else {
            if (!((side, "r", m) in seen)) seen[side, "r", m] = "R" (++nr[side])
            out = out "#Reference<" seen[side, "r", m] ">"
        }
    }
    return out s
}
function glob(pat,    re, c, i) {
    re = ""
    for (i = 1; i <= length(pat); i++) {
        c = substr(pat, i, 1)
        if (index("\\^$.|?*+()[]{}", c)) re = re "\\" c
        else re = re c
    }
    gsub(/…/, ".*", re)
    return "^" re "$"
}
FNR == NR { want[++ne] = norm($0, "e"); raw[ne] = $0; next }
{ act[++na] = norm($0, "a"); araw[na] = $0 }
END {
    bad = 0
    max = ne > na ? ne : na
    for (i = 1; i <= max; i++) {
        ok = (i <= ne && i <= na) && (index(want[i], "…") ? act[i] ~ glob(want[i]) : act[i] == want[i])
        if (!ok) {
            printf "  line %d differs:\n    lesson shows: %s\n    the run gave: %s\n", i, \
                (i <= ne ? raw[i] : "(nothing)"), (i <= na ? araw[i] : "(nothing)")
            bad = 1
            break
        }
    }
    exit bad
}
