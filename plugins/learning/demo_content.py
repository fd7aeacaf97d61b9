"""The demo courses, written for this project: 农村法律常识 and 家庭急救常识.

Each lesson has a short text (also read aloud in ``demo_media/lesson-<n>.ogg``, made by
``demo_media/make_audio.py`` with espeak-ng) and a check question put into the competitions bank.
"""

from __future__ import annotations

#: (title, category, audience, description, completion rule, lessons)
#: lesson: (title, text, (kind, bank category, stem, options, answer, explanation))
COURSES = [
    (
        "农村法律常识",
        "law",
        "党员、村民",
        "土地承包、赡养老人、借钱打借条：三件身边事，讲清楚法律怎么说。",
        "check",
        [
            (
                "土地承包经营权",
                "农村土地承包期内，发包方不得随意收回承包地。承包户可以依法流转土地经营权，"
                "流转要签订书面合同，写清期限和价钱。",
                (
                    "true_false",
                    "law",
                    "承包期内，村里可以随意收回农户的承包地。",
                    ["正确", "错误"],
                    "B",
                    "承包期内发包方不得随意收回承包地，流转也要农户自愿并签书面合同。",
                ),
            ),
            (
                "赡养老人是法定义务",
                "成年子女对父母有赡养扶助的义务。不能以放弃继承、分家不均等理由拒绝赡养。"
                "老人可以向村调解委员会或法院要求子女给付赡养费。",
                (
                    "single",
                    "law",
                    "子女以“分家时没分到房子”为由拒绝赡养父母，这种做法对吗？",
                    ["对，分家不均可以不赡养", "不对，赡养父母是法定义务", "看村里怎么定"],
                    "B",
                    "赡养是法定义务，不因分家、放弃继承等理由免除。",
                ),
            ),
            (
                "借钱一定要打借条",
                "借钱给别人，要写借条：写明借款人、金额大写、借款日期、还款日期，由借款人签名按手印。"
                "借款纠纷的诉讼时效一般是三年。",
                (
                    "single",
                    "law",
                    "一般情况下，民间借款纠纷的诉讼时效是几年？",
                    ["一年", "三年", "十年"],
                    "B",
                    "民法典规定的一般诉讼时效是三年，从知道权利受到损害之日起算。",
                ),
            ),
        ],
    ),
    (
        "家庭急救常识",
        "health",
        "全体居民，尤其是照顾老人和孩子的家人",
        "心脏骤停、烫伤、噎食：等救护车的几分钟里，家里人能做什么。",
        "check",
        [
            (
                "心肺复苏",
                "发现有人倒地没有反应、没有正常呼吸，先拨打一二零，再做胸外按压："
                "双手叠放在胸口正中，用力快速按压，每分钟一百到一百二十次。",
                (
                    "single",
                    "health",
                    "胸外按压的频率应当是每分钟多少次？",
                    ["六十到八十次", "一百到一百二十次", "一百五十次以上"],
                    "B",
                    "成人心肺复苏按压频率为每分钟100到120次，深度5到6厘米。",
                ),
            ),
            (
                "烫伤怎么办",
                "被开水烫伤，马上用流动的凉水冲十五到二十分钟，不要涂牙膏、酱油。"
                "起了水泡不要挑破，用干净的布盖上去医院。",
                (
                    "true_false",
                    "health",
                    "烫伤后涂牙膏可以帮助降温，是正确的做法。",
                    ["正确", "错误"],
                    "B",
                    "牙膏、酱油会污染创面，正确做法是用流动凉水冲15到20分钟。",
                ),
            ),
            (
                "噎食急救",
                "老人或孩子吃东西噎住、说不出话，要用海姆立克法：站在身后抱住他，"
                "一手握拳放在肚脐上方，另一手包住拳头，快速向内向上冲击。",
                (
                    "single",
                    "health",
                    "海姆立克急救法冲击的位置在哪里？",
                    ["肚脐上方", "胸口正中", "后背正中"],
                    "A",
                    "拳头放在肚脐上方两横指处，快速向内向上冲击，直到异物排出。",
                ),
            ),
        ],
    ),
]


def lesson_texts() -> list[tuple[int, str]]:
    """(lesson number from 1, the text read aloud), in course and lesson order."""
    texts = []
    for _title, _category, _audience, _description, _rule, lessons in COURSES:
        for title, text, _question in lessons:
            texts.append((len(texts) + 1, f"{title}。{text}"))
    return texts
