"""Route template parts of the chat routes. The constraints keep literal neighbours apart, so that another method
on `chat-rooms/group` or `.../messages/search` answers 405 instead of reaching a room or a message route."""

ROOM = "{room_id:regex(^grp[0-9a-f]+$|_general$|_r[0-9a-f]+$)}"
MESSAGE = "{message_id:regex(_m[0-9]+$)}"
ROOMS = "chat-rooms/" + ROOM
