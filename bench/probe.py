"""The child side of the harness: `python -m bench.probe KIND --db PATH [options]`, one fresh process.

Prints one JSON object on its last line of stdout. Imports only what KIND needs, so the cold-start
kinds pay exactly the imports of the program they stand for.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("kind", choices=("cold-pantry", "cold-empty", "screens", "memory", "stage-move", "forecast"))
    parser.add_argument("--db", default="")
    parser.add_argument("--login", default="")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    if args.kind == "cold-pantry":
        from bench.cold_start import pantry_child

        result = pantry_child(args.db, args.login)
    elif args.kind == "cold-empty":
        from bench.cold_start import empty_child

        result = empty_child()
    elif args.kind == "screens":
        from bench.screens import child

        result = child(args.db, args.login, args.repeat)
    elif args.kind == "memory":
        from bench.memory import child

        result = child(args.db, args.login)
    elif args.kind == "forecast":
        from bench.forecast import child

        result = child(args.db, args.login, args.repeat)
    else:
        from bench.stage_move import child

        result = child(args.db, args.login, args.repeat)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
