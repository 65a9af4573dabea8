"""Every string a reader sees, in Chinese and English, in one place.

Chinese is the default; English for readers whose Telegram language is English.
Templates use str.format; values put into HTML templates are escaped by the caller.
"""

from __future__ import annotations

from index.records import SMALL_TALK

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "repl_banner": "文章问答 · 已载入 {passages} 段：{titles}\n直接输入问题；/more 看下一段，/help 帮助，Ctrl-D 退出。",
        "repl_prompt": "问> ",
        "repl_help": "输入问题即可得到文章中回答它的段落。\n/more  下一个候选段落（没有答案时：最接近的段落）\n/help  本帮助\nCtrl-C 清除当前输入\nCtrl-D 或 /quit 退出",
        "repl_no_more": "没有更多候选段落了。",
        "repl_ask_first": "请先输入一个问题，/more 会显示它的下一个候选段落。",
        "repl_unknown_command": "{command} 不是命令。可用的命令：/more 下一个候选段落，/help 帮助，/quit 退出。提问请直接输入问题。",
        "repl_nearest_hint": "（输入 /more 看看最接近的一段）",
        "button_nearest": "看看最接近的一段",
        "nearest_note": "文章没有直接回答这个问题。这是最接近的一段，仅供参考：",
        "partial_note": "这一段可能只回答了问题的一部分，也可以点「换一个」看看：",
        "repl_partial_note": "这一段可能只回答了问题的一部分，也可以输入 /more 看看：",
        "cli_partial_note": "这一段可能只回答了问题的一部分：",
        "cli_question": "问：{question}",
        "ask_stdin_hint": "请输入问题，每行一个，回车后给出答案；Ctrl-D 结束。",
        "empty": "请输入一个问题。",
        "no_words": "这个问题里没有可以查找的文字，请用文字提问，比如：{example}",
        "vague": "这个问题太笼统了：请说说想问文章里的哪件事，比如：{example}",
        "greeting": "你好！我可以回答关于这篇文章的问题，直接把问题发给我就行，比如：{example}",
        "thanks": "不客气！还有关于文章的问题，随时问我。",
        "farewell": "再见！有关于文章的问题，随时再来问我。",
        "acknowledged": "好的。还有关于文章的问题，直接发给我就行。",
        "not_in_article": "抱歉，文章里没有找到这个问题的答案。可以试试这样问：",
        "truncated": "（问题太长，只按开头部分回答）",
        "source": "出处",
        "alternatives": "其他候选",
        "start": "你好！我可以回答关于这篇文章的问题：\n<b>{title}</b>\n\n直接发给我一个问题，我会找出文章中回答它的段落。试试这些问题：",
        "help": "直接发送问题即可，我会回复文章中最相关的段落（最相关的句子加粗）。\n\n• 「换一个」看下一个候选段落\n• 「上下文」看前后段落\n• 👍/👎 告诉我答得好不好\n• 群聊中请 @我 提问，或用 /ask 问题{inline}\n\n命令：/start 开始 · /help 帮助 · /about 关于文章 · /ask 提问 · /forget 删除我的提问记录",
        "about": "文章：{titles}\n来源：{sources}\n共 {passages} 个段落。",
        "help_inline": "\n• 任何聊天中都可以输入 @{username} 问题 来引用答案",
        "ask_usage": "用法：/ask 你的问题",
        "non_text": "我只能回答文字问题，请直接输入你的问题。",
        "button_next": "换一个",
        "button_context": "上下文",
        "context_header": "上下文：",
        "feedback_thanks": "谢谢反馈！",
        "no_more": "没有其他候选段落了",
        "expired": "这条消息已过期，请重新提问。",
        "error": "抱歉，处理你的问题时出错了，请稍后再试。",
        "flood": "你提问太快了，请稍等一分钟再问。",
        "not_allowed": "抱歉，这个机器人不对此聊天开放。",
        "admin_only": "只有管理员可以使用这个命令。",
        "stats_private": "报告里有读者的提问，请在与我的私聊中使用 /stats。",
        "inline_hint": "输入问题，查找文章中的答案",
        "inline_none": "文章中没有找到答案",
        "cmd_start": "开始使用",
        "cmd_help": "使用帮助",
        "cmd_about": "关于这篇文章",
        "cmd_ask": "提问（群聊中使用）",
        "cmd_forget": "删除我的提问记录",
        "forgotten": "已删除你的 {rows} 条记录（提问和反馈）。",
        "log_off": "提问记录未开启（QUESTION_LOG=off）。",
        "footer": "—— 出处：{source}",
        "inline_question": "问：{question}",
        "button_up": "👍",
        "button_down": "👎",
        "reloaded": "已重新载入：{titles}，共 {passages} 个段落。",
        "reload_skipped": "跳过了 {count} 个文件：{files}",  # each file named with its reason: unreadable, binary, too large
        "reload_failed": "重新载入失败，仍在使用原来的文章：{reason}",
        "list_more": "{shown}……（共 {count} 个）",
    },
    "en": {
        "repl_banner": "Article Q&A · {passages} passages loaded: {titles}\nType a question; /more for the next passage, /help, Ctrl-D to leave.",
        "repl_prompt": "Q> ",
        "repl_help": "Type a question to get the passage that answers it.\n/more  next candidate (after no answer: the closest passages)\n/help  this help\nCtrl-C clears the line\nCtrl-D or /quit to leave",
        "repl_no_more": "No more candidate passages.",
        "repl_ask_first": "Ask a question first; /more then shows its next candidate passage.",
        "repl_unknown_command": "{command} is not a command. Commands: /more for the next candidate, /help, /quit to leave. To ask, just type the question.",
        "repl_nearest_hint": "(Type /more to see the closest passage.)",
        "button_nearest": "Show the closest passage",
        "nearest_note": "The article does not answer this directly. The closest passage, for what it is worth:",
        "partial_note": "This passage may answer only part of your question; \"Next\" shows others:",
        "repl_partial_note": "This passage may answer only part of your question; /more shows others:",
        "cli_partial_note": "This passage may answer only part of your question:",
        "cli_question": "Q: {question}",
        "ask_stdin_hint": "Type questions, one per line; each is answered when you press Enter. Ctrl-D to end.",
        "empty": "Please type a question.",
        "no_words": "Your message has no words to look up. Ask in words, for example: {example}",
        "vague": "That question is too general: say what in the article you want to know, for example: {example}",
        "greeting": "Hello! I answer questions about this article. Just send me a question, for example: {example}",
        "thanks": "You're welcome! Ask me anything else about the article.",
        "farewell": "Goodbye! Come back any time with a question about the article.",
        "acknowledged": "OK. Send me any other question about the article.",
        "not_in_article": "Sorry, the article does not answer that. You could ask:",
        "truncated": "(Your question was long; I answered its beginning.)",
        "source": "Source",
        "alternatives": "Other candidates",
        "start": "Hello! I answer questions about this article:\n<b>{title}</b>\n\nSend me a question and I will reply with the passage that answers it. Try:",
        "help": "Send a question and I reply with the most relevant passage of the article (its best sentence in bold).\n\n• \"Next\" shows the next candidate\n• \"Context\" shows the passages around it\n• 👍/👎 tell me how I did\n• In groups, mention me or use /ask question{inline}\n\nCommands: /start · /help · /about · /ask · /forget (delete my question history)",
        "about": "Article: {titles}\nSource: {sources}\n{passages} passages.",
        "help_inline": "\n• In any chat, type @{username} question to quote an answer",
        "ask_usage": "Usage: /ask your question",
        "non_text": "I can only answer text questions. Please type your question.",
        "button_next": "Next",
        "button_context": "Context",
        "context_header": "Context:",
        "feedback_thanks": "Thanks for the feedback!",
        "no_more": "No other candidates",
        "expired": "This message has expired; please ask again.",
        "error": "Sorry, something went wrong with your question. Please try again later.",
        "flood": "You are asking too fast; please wait a minute.",
        "not_allowed": "Sorry, this bot is not open to this chat.",
        "admin_only": "Only admins can use this command.",
        "stats_private": "The report quotes readers' questions: use /stats in a private chat with me.",
        "inline_hint": "Type a question to find the answer in the article",
        "inline_none": "The article does not answer that",
        "cmd_start": "Start",
        "cmd_help": "Help",
        "cmd_about": "About the article",
        "cmd_ask": "Ask a question (in groups)",
        "cmd_forget": "Delete my question history",
        "forgotten": "Deleted {rows} records of your questions and feedback.",
        "log_off": "The question log is off (QUESTION_LOG=off).",
        "footer": "— Source: {source}",
        "inline_question": "Q: {question}",
        "button_up": "👍",
        "button_down": "👎",
        "reloaded": "Reloaded: {titles}, {passages} passages.",
        "reload_skipped": "Skipped {count} file(s): {files}",
        "reload_failed": "Reload failed; still using the previous article: {reason}",
        "list_more": "{shown}… ({count} in all)",
    },
}


# declines whose reply says why in its own words and shows no passage (index.records.Decision.reason)
REPLIES_IN_KIND = frozenset({"no_words", "vague", *SMALL_TALK})


def language_of(code: str | None) -> str:
    """Telegram's language_code → 'en' for English speakers, else Chinese."""
    return "en" if code and code.lower().startswith("en") else "zh"


def text(key: str, lang: str = "zh", **values: object) -> str:
    template = TEXTS.get(lang, TEXTS["zh"]).get(key) or TEXTS["zh"][key]
    return template.format(**values) if values else template
