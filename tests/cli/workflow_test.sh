#!/bin/sh
# workflow_test.sh ROOT - the example workflow's local steps, run here.
#
# Every step of examples/github-workflow.yml named "gate: ..." uses no
# GitHub service; this runs them in order in a clone of ROOT, with the
# pull request's base and head both at ROOT's HEAD (one build, cached),
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files, and ${{ ... }}
# expressions resolved from the steps' outputs, as the runner would.  It
# checks the verdict passes and the comment carries the marker that the
# update-in-place step looks for.  Skips (77) without python3-yaml or git.
set -u
root=$1
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null || ! command -v git >/dev/null; then
	echo "skipped: needs python3-yaml and git"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$root" "$tmp/repo" || exit 1
sha=$(git -C "$tmp/repo" rev-parse HEAD)
cd "$tmp/repo" || exit 1
BASE_SHA=$sha HEAD_SHA=$sha SUITEBENCH_AB=true /usr/bin/python3 - "$tmp" <<'PY'
import os, re, subprocess, sys, yaml
tmp = sys.argv[1]
flow = yaml.safe_load(open("examples/github-workflow.yml"))
steps = [s for s in flow["jobs"]["gate"]["steps"]
         if str(s.get("name", "")).startswith("gate:")]
assert len(steps) >= 3, "fewer gate steps than expected"
outputs = {}
failures = 0
verdict_rc = None
def resolve(text):
    def one(m):
        expr = m.group(1).strip()
        default = None
        if "||" in expr:
            expr, default = [x.strip() for x in expr.split("||")]
        mm = re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+)", expr)
        assert mm, "unknown expression: " + expr
        return outputs.get(mm.group(1), {}).get(mm.group(2), default or "")
    return re.sub(r"\$\{\{(.*?)\}\}", one, text)
for step in steps:
    cond = step.get("if")
    if cond and cond != "vars.SUITEBENCH_AB == 'true'":
        raise SystemExit("unknown condition: " + cond)
    out = os.path.join(tmp, "output")
    open(out, "w").close()
    env = dict(os.environ, GITHUB_OUTPUT=out,
               GITHUB_STEP_SUMMARY=os.path.join(tmp, "summary"))
    rc = subprocess.call(["bash", "-e", "-c", resolve(step["run"])], env=env)
    values = dict(l.rstrip("\n").split("=", 1) for l in open(out) if "=" in l)
    if "id" in step:
        outputs[step["id"]] = values
    print(f"step '{step['name']}': exit {rc}, outputs {values}")
    if step.get("id") in ("gate", "ab") and rc != 0:
        failures += 1
    if step["name"] == "gate: verdict":
        verdict_rc = rc
comment = open("comment.md").read()
# The exact gate of a commit against itself must pass.  The A/B step is
# timing: a loaded machine may judge either way, so only its form and the
# verdict step's logic are checked, never its verdict.
ab = outputs.get("ab", {}).get("status")
gate = outputs.get("gate", {}).get("status")
checks = [
    ("the gate passed", gate == "0"),
    ("the A/B step ran and judged", ab in ("0", "1")),
    ("the verdict step fails exactly when a gate step did",
     (verdict_rc != 0) == (gate != "0" or ab != "0")),
    ("the comment has the marker", comment.startswith("<!-- suitebench-gate -->")),
    ("the comment has the verdict", "verdict" in comment),
    ("the comment has the timing", "HEAD" in comment or "timing:" in comment),
]
for what, ok in checks:
    print(("ok: " if ok else "FAIL: ") + what)
    failures += not ok
print(f"{len(checks) + len(steps) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
PY
