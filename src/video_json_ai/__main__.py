from video_json_ai.cli import main

raise SystemExit(main())
