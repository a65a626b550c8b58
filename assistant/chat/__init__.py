"""`draft chat`: an interactive drafting conversation in the terminal.

state.py (turns, drafts), memory.py (what the model sees), answers.py (reading an answer),
session.py (what a turn does), commands.py (slash commands), store.py (transcripts),
loop.py (terminal and piped input). Rendering lives in assistant/render/chat.py.
"""
