"""HTTP routes for chat attachments: signed upload URLs, and short-lived read URLs for whoever may read the
message a file belongs to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.messages import bp
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:
    from shared.domain.chat import attachment_models, attachments, room_messages
else:
    attachments = lazy_module("shared.domain.chat.attachments")
    room_messages = lazy_module("shared.domain.chat.room_messages")
    attachment_models = lazy_models("shared.domain.chat.attachment_models")


@bp.route(route="attachments/upload-url", methods=["POST"])
@endpoint(summary="Get a signed URL to upload a chat attachment", body=attachment_models.AttachmentUploadBody,
          response=attachment_models.AttachmentUpload, status=201, errors=(413,),
          rate_limits=[RateRule("chat_attachments", 60, 3600, per="user")],
          description="PUT the file to upload_url with the given headers, then send the message with its "
                      "attachment_id in `attachments`; the type is sniffed from the bytes then.",
          idempotent=True)
async def request_attachment_upload(call: Call[attachment_models.AttachmentUploadBody]
                                    ) -> attachment_models.AttachmentUpload:
    return await attachments.check_request_upload(call.user, call.body)


@bp.route(route="attachments/{attachment_id:length(32)}", methods=["GET"])
@endpoint(summary="A chat attachment's short-lived URL (for who may read its message)", auth="optional",
          path=attachment_models.AttachmentPath, response=attachment_models.AttachmentAccess, errors=(404,))
async def get_attachment(call: Call) -> attachment_models.AttachmentAccess:
    return await room_messages.check_get_attachment(call.principal, call.path.attachment_id)
