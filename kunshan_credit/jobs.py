"""The portal's scheduled jobs, the one list: deploy/cron, the systemd timers, `make run`'s scheduler,
the jobs page (/system/jobs/) and /healthz all read it (`core.jobs`). Times are Asia/Shanghai.

After a change: `manage.py jobs --write` rewrites deploy/ (a test compares).
"""

from datetime import timedelta

from core.jobs.registry import Job

JOBS = (
    Job(
        name="render_documents",
        command="render_documents",
        schedule="* * * * *",
        description="生成新发布简报的 PDF、Word 和 Excel 文件",
        late_after=timedelta(minutes=10),
    ),
    Job(
        name="send_queued",
        command="send_queued",
        schedule="* * * * *",
        description="发送页面上排队的提醒和摘要，重发失败的消息",
        late_after=timedelta(minutes=10),
    ),
    Job(
        name="rebuild_scores",
        command="rebuild_scores",
        args=("--stale",),
        schedule="10 0 * * *",
        description="每日重算考核得分：到期季度随日期变化，把不是今天计算的得分按今天重新计算并保存",
        late_after=timedelta(hours=3),
    ),
    Job(
        name="rebuild_case_counts",
        command="rebuild_case_counts",
        schedule="20 0 * * *",
        description="每日按案例重新统计各单位每季度已采用的案例数，与保存的数字不符时写入日志",
        late_after=timedelta(hours=3),
    ),
    Job(
        name="rebuild_tallies",
        command="rebuild_tallies",
        schedule="25 0 * * *",
        description="每日重新统计各列完成情况的数量和各单位的未完成项，与完成情况不符时记入日志并改正",
        late_after=timedelta(hours=3),
    ),
    Job(
        name="send_reminders",
        command="send_reminders",
        schedule="30 8 * * *",
        description="每日提醒：向有未完成、即将到期、已逾期事项的单位发提醒",
        late_after=timedelta(hours=2),
    ),
    Job(
        name="send_digests",
        command="send_digests",
        schedule="0 8 * * *",
        description="每日摘要：向关注单位或指标的账号发送变化摘要",
        late_after=timedelta(hours=2),
    ),
    Job(
        name="backup",
        command="backup",
        schedule="15 2 * * *",
        description="每日备份：数据库和附件写入备份目录中带日期的签名备份文件",
        late_after=timedelta(hours=3),
    ),
    Job(
        name="prune_backups",
        command="prune_backups",
        schedule="45 3 * * *",
        description="清理旧备份：按保留天数和份数删除备份目录中过期的备份文件",
        late_after=timedelta(hours=3),
    ),
    Job(
        name="orphaned_files",
        command="orphaned_files",
        args=("--delete",),
        schedule="30 4 * * 0",
        description="每周清理附件目录中没有记录引用的文件（中断的上传等），一小时内写入的不动",
        late_after=timedelta(hours=3),
    ),
    Job(
        name="verify_audit",
        command="verify_audit",
        schedule="5 * * * *",
        description="校验审计日志的哈希链：记录被修改、删除、插入或日志被清空时报失败",
        late_after=timedelta(hours=2),
    ),
)
