"""The demo team: five accounts with a week of believable plans in the team's two-part shape.

Passwords equal usernames and are shown by ``dailyplan sandbox``: these are never real secrets.
"""

from __future__ import annotations

from datetime import date, timedelta

DEMO_ACCOUNTS: dict[str, str] = {
    u: u for u in ("demo", "lilei", "hanmeimei", "zhangwei", "wangfang")
}
# What each demo account "planned" on a day, in turn; no blank lines (a blank line splits a plan).
_DEMO_WORK: dict[str, list[str]] = {
    "demo": [
        "1. 完成登录模块的单元测试\n2. 修复日报导出时的编码问题",
        "1. 评审 lilei 的合并请求 #42\n2. 补充接口文档中的错误码说明",
        "1. 排查定时任务偶发超时\n2. 修正 a<b && c 的边界判断",
        "1. 重构配置加载，去掉全局变量\n2. 和产品确认下周迭代范围",
    ],
    "lilei": ["1. 支付回调重试逻辑联调\n2. 写迁移脚本", "1. 压测订单接口\n2. 整理慢查询清单"],
    "hanmeimei": [
        "1. 首页改版视觉走查\n2. 修复 iOS 端“返回”按钮错位",
        "1. 上线 v2.3 🚀\n2. 回访用户反馈",
    ],
    "zhangwei": [
        "1. 搭建测试环境 C:\\new\\env\n2. 编写冒烟用例",
        "1. 跟进线上告警\n2. 更新值班手册",
    ],
    "wangfang": [
        "1. 季度数据报表\n2. 需求评审会议纪要",
        "1. 竞品调研：三家同类产品\n2. 用户访谈提纲",
    ],
}

def _workdays_before(today: date, count: int) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def demo_plans(today: date) -> dict[str, dict[str, str]]:
    """Five workdays of believable history per demo account, in the team's two-part shape.

    Each plan is "YYYY.MM.DD\\n<today>\\n\\n<the previous plan's part before its blank line>".
    Teammates have filed today too, so the workday quorum is met; "demo" has not, so the demo
    has something to do.
    """
    days = _workdays_before(today, 6)
    plans: dict[str, dict[str, str]] = {}
    for user, work in _DEMO_WORK.items():
        head = f"{days[0]:%Y.%m.%d}\n{work[-1]}"
        mine: dict[str, str] = {}
        for i, day in enumerate(days[1:] + ([] if user == "demo" else [today])):
            text = f"{day:%Y.%m.%d}\n{work[i % len(work)]}\n\n{head}"
            mine[day.isoformat()] = text
            head = text.split("\n\n")[0]
        plans[user] = mine
    return plans
