#!/usr/bin/env python3
"""Prints N history lines (oldest first) in the shape avlaunch records, one call a minute up
to now, for benchmarks: `make-history.py 10000 > ~/.local/share/avlaunch/history.jsonl`."""
import json
import random
import sys
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
random.seed(1)
contacts = ["alice", "bob", "carol", "dave", "nobody", "conflict", "gone", "callback"]
outcomes = [("Connected", 0), ("Ended", 0), ("Failed", 1), ("Cancelled", 1), ("Failed", 3)]
now = time.time()
for i in range(n):
    t = now - (n - i) * 60
    state, code = random.choice(outcomes)
    connected = state in ("Connected", "Ended")
    line = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t)),
        "contact": f"sip:{random.choice(contacts)}{i % 97}@contoso.com",
        "subject": random.choice([None, "Weekly sync", "Budget review", "Smoke test"]),
        "server": "https://lyncdiscover.contoso.com/",
        "user": "engineer@contoso.com",
        "format": random.choice(["json", "xml"]),
        "profile": "contoso",
        "importance": None,
        "audio_muted": None,
        "video_muted": None,
        "duration_ms": random.randint(300, 90000),
        "state": state,
        "invitation": f"https://pool.contoso.com/ucwa/oauth/v1/applications/{1000 + i}/communication/audioVideoInvitations/{i:032x}",
        "operation_id": f"{random.getrandbits(128):032x}",
        "timings_ms": {"discover": 41.2, "sign_in": 120.4, "create_application": 88.0,
                       "open_events": 12.1, "invite": 30.3, "ring": 4200.7},
        "connected_ms": random.randint(1000, 80000) if connected else None,
        "exit_code": code,
        "error": None if code == 0 else {
            "kind": "Invitation", "status": None, "code": "RemoteFailure", "subcode": "Declined",
            "message": "The person declined the call.", "server_message": "Declined"},
    }
    print(json.dumps(line, separators=(",", ":")))
