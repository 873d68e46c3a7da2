"""A valid value of every path parameter of the app: each route's path model accepts it (test_request_hardening
checks that), and each satisfies its route template's constraint, so a request with it reaches the handler's
input checks. A new path parameter must be added here, or the route-table tests fail saying which."""

VALID_PATH = {"topic_id": "0" * 32, "post_id": "0" * 32 + "_" + "0" * 16, "comment_id": "0" * 32 + "_" + "0" * 12,
              "user_id": "0" * 32, "model_id": "0" * 32, "job_id": "0" * 32, "notification_id": "mention_0",
              "invitation_id": "inv_" + "0" * 32, "session_id": "0" * 16, "username": "someone", "kind": "avatar",
              "number": "1", "type_key": "linear_regression", "passkey_id": "0" * 64, "name": "swagger-ui.css",
              "path": "no/such/route", "report_id": "user." + "0" * 32 + "." + "0" * 32, "ticket_id": "tk_" + "0" * 24,
              "warning_id": "w_" + "0" * 20 + "_" + "0" * 12,
              "room_id": "0" * 32 + "_general", "message_id": "0" * 32 + "_general_m0000000001", "emoji": "x",
              "attachment_id": "0" * 32, "other_user_id": "0" * 32}
