"""The domain: one package per area (accounts, communities, models, notifications, platform, realtime, voip).

Where things live inside an area:
- Services: `check_*` (called by routes, access checks first) and `do_*` functions in modules named for what they
  do; `access_*` gates in the area's `access.py`.
- Request and response models (pydantic) sit beside the services, never inline in a service module:
  `<service>_models.py` beside `<service>.py` when the area's services each have their own (communities:
  `topic_models.py` for `topics.py`, ...), one `models.py` when the area has one service or its services share
  one set of shapes (accounts, notifications, platform, voip). The models area, where "model" means a trained
  model, calls that module `schemas.py`.
- Stored documents: one `documents.py` per area with a TypedDict per kind of document and the typed containers
  (`shared/domain/stored.py`) the services read and write them through.

Imports point down (tests/test_layers.py): nothing here imports `shared.http`, `functions`, `azure`, an adapter or
the dev host; storage is reached through `shared.wiring` and the ports.
"""
