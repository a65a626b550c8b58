"""`draft chat`: an interactive drafting conversation in the terminal.

state.py (turns, drafts), memory.py (what the model sees), answers.py (reading an answer),
session.py (free-text turns, critique, undo/fork), pipeline_turns.py (playbooks and replies),
commands.py (slash commands), store.py (transcripts), loop.py (terminal and piped input),
warmup.py (the model's prompt cache, filled while the user types). Rendering lives in assistant/render/chat.py.
"""
