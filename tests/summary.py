#!/usr/bin/env python3
"""Count TAP results across meson test logs; print 'N passed, M failed'.

Every TAP 'ok' line is a pass (a '# SKIP' counts as failed under CI=true,
as conmon's strict mode does); every 'not ok' a failure.  A meson test that
failed without printing TAP (a crash, a timeout) counts as one failure."""
import json
import os
import re
import sys

passed = failed = skipped = 0
strict = os.environ.get("CI") == "true"
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    for line in open(path):
        t = json.loads(line)
        out = t.get("stdout") or ""
        oks = nots = skips = 0
        for l in out.splitlines():
            if re.match(r"^not ok\b", l):
                nots += 1
            elif re.match(r"^ok\b", l):
                if re.search(r"#\s*skip", l, re.I):
                    skips += 1
                else:
                    oks += 1
        if oks + nots + skips == 0:
            if t.get("result") in ("OK", "EXPECTEDFAIL"):
                oks = 1
            elif t.get("result") == "SKIP":
                skips = 1
            else:
                nots = 1
        elif t.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and nots == 0:
            nots = 1  # TAP looked fine but the test itself failed
        passed += oks
        failed += nots
        skipped += skips
if strict:
    failed += skipped
    skipped = 0
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
