"""Chat: topic conversations and group chats (rooms), their members, and the messages of any conversation.

rooms.py decides who may see and act in a room (the access gate every room route asks first); membership.py
holds joins, bans, moderators and invitations; messages.py, reactions.py and read_state.py work on any
conversation id, with the access decision passed in (room_gate.py for rooms; direct messages later).
"""
