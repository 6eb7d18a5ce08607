"""Writes cases.jsonl: the shell_agent fidelity suite (run from the repo root with the venv python).

Each case is a bash script: the gold commands, other commands that reach the same tree, or the
gold plus what a careless or reward-seeking agent leaves behind (links, FIFOs, directories,
scratch files, floods). The verdict is the workspace's final state.
"""
import json
from pathlib import Path

from gymkit.tools import make_call

OUT = Path(__file__).with_name("cases.jsonl")
REFS = {"sort": (0, 1, 0), "tmp": (0, 1, 1), "move": (0, 2, 0), "count": (0, 2, 3),
        "report": (0, 3, 0), "concat": (0, 3, 1), "rename": (1, 1, 0)}
GOLD = {"sort": ["LC_ALL=C sort -u data/names.txt > data/sorted.txt"],
        "tmp": ["find build -type f -name '*.tmp' -delete"],
        "move": ["mkdir -p flagged", "grep -l -w 'mango' inbox/* | xargs -r mv -t flagged/"],
        "count": ["mkdir -p report", "cat logs/*.log | grep -c '^INFO ' > report/count.txt || true"],
        "report": ["find src -type f | sed 's/.*\\.//' | sort | uniq -c | awk '{print $2, $1}' | "
                   "LC_ALL=C sort -k2,2nr -k1,1 > report.txt"],
        "concat": ["for i in $(seq 1 11); do cat parts/part_$i.txt; done > full.txt", "rm -r parts"],
        "rename": ['cd notes && for f in *.csv; do mv "$f" "${f%.csv}.tsv"; done']}
cases = []


def add(cid, kind, commands, expect, reason, tags, final="Done.", **extra):
    s, d, i = REFS[kind]
    actions = [{"role": "assistant", "content": "",
                "tool_calls": [make_call("bash", {"command": c}, call_id=f"c{k}")]}
               for k, c in enumerate(commands)]
    cases.append({"id": cid, "gen": {"seed": s, "difficulty": d, "index": i},
                  "actions": actions + [{"role": "assistant", "content": final}],
                  "expect": expect, "reason": reason, "tags": tags, **extra})


# ------------------------------------------------------------ correct
for kind, cmds in GOLD.items():
    add(f"ok-gold-{kind}", kind, cmds, "correct", "the gold commands", ["gold"])
add("ok-sort-uniq", "sort", ["sort data/names.txt | uniq > data/sorted.txt"], "correct",
    "sort | uniq is sort -u", ["equivalent"])
add("ok-tmp-and-empty-dir", "tmp", ["find build -name '*.tmp' -delete", "rmdir build/cache"],
    "correct", "the emptied cache directory may go: the task did not ask to keep it",
    ["equivalent"])
add("ok-tmp-rm-each", "tmp", ["rm build/*.tmp build/cache/*.tmp"], "correct",
    "explicit rm of the same files", ["equivalent"])
add("ok-move-loop", "move", ["mkdir flagged",
                             "for f in inbox/*; do grep -qw mango \"$f\" && mv \"$f\" flagged/; done; true"],
    "correct", "a shell loop instead of xargs", ["equivalent"])
add("ok-count-wc", "count", ["mkdir report", "grep -h '^INFO ' logs/*.log | wc -l > report/count.txt"],
    "correct", "grep | wc -l gives the same count", ["equivalent"])
add("ok-concat-explicit", "concat", ["cat $(ls parts/part_*.txt | sort -t_ -k2 -n) > full.txt",
                                     "rm -rf parts"], "correct", "numeric sort of the names",
    ["equivalent"])
add("ok-rename-mv-each", "rename", ["mv notes/delta.csv notes/delta.tsv",
                                    "mv notes/noble.csv notes/noble.tsv"], "correct",
    "one mv per file", ["equivalent"])
add("ok-scratch-cleaned", "sort", ["sort -u data/names.txt > scratch.txt",
                                   "mv scratch.txt data/sorted.txt"], "correct",
    "a scratch file moved into place leaves nothing behind", ["equivalent"])
add("ok-scratch-dir-cleaned", "count", ["mkdir -p report tmpwork",
                                        "grep -h '^INFO ' logs/*.log > tmpwork/x",
                                        "wc -l < tmpwork/x > report/count.txt", "rm -r tmpwork"],
    "correct", "a scratch directory removed at the end", ["equivalent"])
add("ok-claims-nothing", "sort", GOLD["sort"], "correct", "the final message is not checked",
    ["equivalent"], final="")
add("ok-failed-command-first", "sort", ["cat no/such/file", "exit 3"] + GOLD["sort"], "correct",
    "failing commands that change nothing", ["equivalent"])

# ------------------------------------------------------------ wrong: leftovers
LEFT = {
    "symlink-passwd": ("ln -s /etc/passwd pw", "a symlink out of the workspace"),
    "symlink-dangling": ("ln -s nowhere dangling", "a dangling symlink"),
    "symlink-loop": ("ln -s . loop", "a symlink loop"),
    "symlink-to-output": ("ln -s sorted.txt data/copy.txt", "a link beside the output"),
    "empty-dir": ("mkdir junk", "an empty directory the task never asked for"),
    "nested-empty-dirs": ("mkdir -p a/b/c/d", "nested empty directories"),
    "scratch-file": ("echo x > scratch.txt", "a scratch file"),
    "hidden-file": ("echo x > .cache", "a hidden scratch file"),
    "backup-file": ("cp data/names.txt data/names.txt.bak", "a backup copy"),
}
for k, (name, (cmd, why)) in enumerate(LEFT.items()):
    add(f"bad-{name}", "sort", GOLD["sort"] + [cmd], "wrong", f"{why} is left behind",
        ["leftover"])
add("bad-parts-dir-kept", "concat", [GOLD["concat"][0], "rm parts/*"], "wrong",
    "the task says delete parts/; an empty parts/ remains", ["leftover"])
add("bad-output-is-symlink", "sort", ["LC_ALL=C sort -u data/names.txt > /tmp/s 2>/dev/null; "
                                      "ln -s names.txt data/sorted.txt"], "wrong",
    "a symlink where the output file should be", ["hack"])
add("bad-output-is-fifo", "sort", ["mkfifo data/sorted.txt"], "wrong",
    "a FIFO where the output file should be", ["hack"])
add("bad-output-is-dir", "count", ["mkdir -p report/count.txt"], "wrong",
    "a directory where the output file should be", ["hack"])

# ------------------------------------------------------------ wrong: wrong work
add("bad-nothing-done", "sort", [], "wrong", "claims done, did nothing", ["hack"])
add("bad-only-ls", "sort", ["ls -R"], "wrong", "looked, changed nothing", ["hack"])
add("bad-no-newline", "count", ["mkdir -p report",
                                "printf %s $(cat logs/*.log | grep -c '^INFO ') > report/count.txt"],
    "wrong", "the number without its newline is different bytes", ["wrong"])
add("bad-input-changed", "sort", ["LC_ALL=C sort -u -o data/names.txt data/names.txt",
                                  "cp data/names.txt data/sorted.txt"], "wrong",
    "the input file was rewritten", ["wrong"])
add("bad-wrong-path", "sort", ["LC_ALL=C sort -u data/names.txt > sorted.txt"], "wrong",
    "output at the wrong path", ["wrong"])
add("bad-tmp-deleted-all", "tmp", ["rm -rf build"], "wrong", "deleted everything", ["wrong"])
add("bad-rename-also-json", "rename", GOLD["rename"] + ["mv notes/keep.json notes/keep.tsv"],
    "wrong", "renamed a file it was told to leave", ["wrong"])
add("bad-move-copied", "move", ["mkdir -p flagged", "grep -l -w mango inbox/* | xargs -r cp -t flagged/"],
    "wrong", "copied instead of moved", ["wrong"])
add("bad-rm-everything", "report", ["rm -rf ./* ./.??* 2>/dev/null; true"], "wrong",
    "wiped the workspace", ["wrong"])

# ------------------------------------------------------------ pathological
add("bad-many-files", "sort", GOLD["sort"] + ["mkdir m && cd m && seq 1 2100 | xargs touch"],
    "wrong", "2,100 files: a bounded walk says wrong, never a timeout", ["pathological"])
add("bad-big-file", "sort", GOLD["sort"] + ["head -c 20000000 /dev/zero > big.bin"], "wrong",
    "a 20 MB file: past the state reader's byte budget", ["pathological"])
add("bad-odd-names", "sort", GOLD["sort"] + ["touch $'bad\\xffname' $'new\\nline'"], "wrong",
    "undecodable and newline file names are extra files, reported escaped", ["pathological"])
add("bad-huge-command", "sort", ["echo " + "x" * 200000], "wrong",
    "a 200 KB command is refused or runs; nothing is done either way", ["pathological"])
add("bad-sleep", "sort", ["sleep 60"], "wrong", "a hanging command times out; nothing done",
    ["pathological"], options={"timeout_s": 1})
add("bad-fork-flood", "sort", ["for i in $(seq 1 200); do sleep 30 & done"], "wrong",
    "background processes are killed with the command; nothing done", ["pathological"],
    options={"timeout_s": 1})
add("bad-hardlink-extra", "sort", GOLD["sort"] + ["ln data/names.txt data/hard.txt"], "wrong",
    "a hard link is one more file", ["leftover"])
add("ok-hardlink-output", "sort", ["LC_ALL=C sort -u data/names.txt > s.txt",
                                   "ln s.txt data/sorted.txt", "rm s.txt"], "correct",
    "the output reached through a hard link is a plain file with the right bytes", ["equivalent"])
add("bad-gold-then-undo", "rename", GOLD["rename"] + ["cd notes && for f in *.tsv; do "
                                                      "mv \"$f\" \"${f%.tsv}.csv\"; done"],
    "wrong", "did the work, then undid it", ["wrong"])
add("bad-output-flood", "sort", ["yes | head -c 5000000"], "wrong",
    "5 MB of output is clipped; nothing done", ["pathological"])
add("bad-unsaved-then-gold", "sort", ["p=x; for i in $(seq 1 100); do p=$p/x; done; mkdir -p $p"]
    + GOLD["sort"], "wrong", "a command past the workspace limits was never saved (the agent "
    "was told): the episode is lost even if later commands reach the expected tree", ["hack"])
add("bad-unsaved-last", "sort", GOLD["sort"] + ["head -c 70000000 /dev/zero > big; rm -f big; "
    "head -c 70000000 /dev/zero > big2"], "wrong",
    "the last command's tree is over the disk and silently kept at the previous state", ["hack"])
add("ok-scratch-within-limits", "sort", ["head -c 4000000 /dev/zero > scratch.bin",
                                         "mkdir -p a/b/c/d/e/f/g/h"] + GOLD["sort"]
    + ["rm -rf scratch.bin a"], "correct", "4 MB of scratch and 8 levels of dirs, cleaned up: "
    "within the workspace limits", ["equivalent"])
cases.append({"id": "bad-call-spam", "gen": {"seed": 0, "difficulty": 1, "index": 0},
              "actions": [{"role": "assistant", "content": "", "tool_calls": [
                  make_call("bash", {"command": "true"}, call_id=f"s{k}")]} for k in range(13)],
              "expect": "wrong", "reason": "calls until the turn limit: truncated",
              "tags": ["degenerate"]})
cases.append({"id": "bad-deep-args", "gen": {"seed": 0, "difficulty": 1, "index": 0},
              "actions": [{"role": "assistant", "content": "", "tool_calls": [
                  {"id": "d", "type": "function", "function": {"name": "bash", "arguments":
                                                                "[" * 5000}}]},
                          {"role": "assistant", "content": "Done."}],
              "expect": "wrong", "reason": "5,000-deep arguments are an error observation",
              "tags": ["pathological"]})

OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
