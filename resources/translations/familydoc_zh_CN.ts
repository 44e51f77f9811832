<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AdmitDialog</name>
    <message>
        <source>Admit to home sickbed — %1</source>
        <translation>家庭病床建床 — %1</translation>
    </message>
    <message>
        <source>Applied on</source>
        <translation>申请日期</translation>
    </message>
    <message>
        <source>Admitted on</source>
        <translation>建床日期</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Indication</source>
        <translation>建床指征</translation>
    </message>
    <message>
        <source>Diagnosis *</source>
        <translation>诊断 *</translation>
    </message>
    <message>
        <source>Responsible doctor</source>
        <translation>责任医生</translation>
    </message>
    <message>
        <source>Care plan</source>
        <translation>护理计划</translation>
    </message>
    <message>
        <source>Admit</source>
        <translation>建床</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>AppContext</name>
    <message>
        <source>local user</source>
        <translation>本机用户</translation>
    </message>
</context>
<context>
    <name>AuditScreen</name>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>This PC</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Server (my clinics)</source>
        <translation>服务器（本机构及下属）</translation>
    </message>
    <message>
        <source>Resident: ID number (empty: everyone)</source>
        <translation>居民：身份证号（留空为全部）</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>From</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Whose data</source>
        <translation>涉及居民</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Viewed</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Viewed (unmasked)</source>
        <translation>查看（未脱敏）</translation>
    </message>
    <message>
        <source>Revealed full ID/phone</source>
        <translation>显示完整证件号/电话</translation>
    </message>
    <message>
        <source>Revealed in the list</source>
        <translation>列表中显示完整信息</translation>
    </message>
    <message>
        <source>Printed</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>In an export</source>
        <translation>包含在导出中</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Merged duplicates</source>
        <translation>合并重复档案</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Reading the audit log…</source>
        <translation>正在读取审计日志…</translation>
    </message>
    <message numerus="yes">
        <source>%n entries (newest first)</source>
        <translation>
            <numerusform>共 %n 条（新的在前）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <source>Conflicts to review</source>
        <translation>待处理的同步冲突</translation>
    </message>
    <message>
        <source>The same field was changed on this PC and on another device. Choose which value to keep; the other one stays in the history.</source>
        <translation>同一字段在本机和其他设备上都被修改了。请选择保留哪个值，另一个值会保留在历史记录中。</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>This PC</source>
        <translation>本机的值</translation>
    </message>
    <message>
        <source>By / when</source>
        <translation>录入人／时间</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>By / when </source>
        <translation>录入人／时间</translation>
    </message>
    <message>
        <source>Keep this PC&apos;s value</source>
        <translation>保留本机的值</translation>
    </message>
    <message>
        <source>Keep the server&apos;s value</source>
        <translation>保留服务器上的值</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>No conflicts to review.</source>
        <translation>没有待处理的冲突。</translation>
    </message>
    <message>
        <source>Resolved.</source>
        <translation>已处理。</translation>
    </message>
    <message>
        <source>Decision saved; it is sent on the next sync.</source>
        <translation>已保存处理结果，将在下次同步时发送。</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>Informed consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <source>Explain the agreement and the packages; the resident or the guardian agrees.</source>
        <translation>向居民说明协议和服务包内容，由居民本人或监护人知情同意。</translation>
    </message>
    <message>
        <source>Resident in person</source>
        <translation>居民本人</translation>
    </message>
    <message>
        <source>Guardian</source>
        <translation>监护人</translation>
    </message>
    <message>
        <source>Guardian&apos;s name</source>
        <translation>监护人姓名</translation>
    </message>
    <message>
        <source>The agreement was explained and consent was given</source>
        <translation>已说明协议内容并取得知情同意</translation>
    </message>
    <message>
        <source>Print the agreement after signing</source>
        <translation>签约后打印协议书</translation>
    </message>
    <message>
        <source>Consent by</source>
        <translation>知情同意人</translation>
    </message>
</context>
<context>
    <name>ContractWizard</name>
    <message>
        <source>Next &gt;</source>
        <translation>下一步 &gt;</translation>
    </message>
    <message>
        <source>&lt; Back</source>
        <translation>&lt; 上一步</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签约</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Renew contract — %1</source>
        <translation>续签 — %1</translation>
    </message>
    <message>
        <source>Sign contract — %1</source>
        <translation>签约 — %1</translation>
    </message>
    <message>
        <source>Close without signing</source>
        <translation>不签约关闭</translation>
    </message>
    <message>
        <source>Close this contract form? The choices made are not kept and nothing is signed.</source>
        <translation>关闭签约表吗？已做的选择不会保留，也不会签约。</translation>
    </message>
</context>
<context>
    <name>DischargeDialog</name>
    <message>
        <source>Discharge from home sickbed</source>
        <translation>家庭病床撤床</translation>
    </message>
    <message>
        <source>Discharged on</source>
        <translation>撤床日期</translation>
    </message>
    <message>
        <source>Discharge from home sickbed — %1</source>
        <translation>撤销家庭病床 — %1</translation>
    </message>
    <message>
        <source>Patient: %1</source>
        <translation>患者：%1</translation>
    </message>
    <message>
        <source>Outcome *</source>
        <translation>转归 *</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>小结</translation>
    </message>
    <message>
        <source>Discharge</source>
        <translation>撤床</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Discharge %1 from the home sickbed on %2? This cannot be undone.</source>
        <translation>确定于 %2 为 %1 撤床？撤床后不能撤销。</translation>
    </message>
    <message>
        <source>Discharged</source>
        <translation>撤床日期</translation>
    </message>
</context>
<context>
    <name>DuplicatesScreen</name>
    <message>
        <source>Possible duplicate residents</source>
        <translation>疑似重复居民</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Residents registered twice: the same ID number entered on two PCs, or the same name, birth date and village without an ID number. The merged resident keeps every contract, visit and ledger record of both.</source>
        <translation>重复登记的居民：同一身份证号在两台电脑上分别登记，或姓名、出生日期和村相同且无身份证号。合并后保留的居民拥有两份档案的全部签约、随访和台账记录。</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Kept: ID number</source>
        <translation>保留：身份证号</translation>
    </message>
    <message>
        <source>Merged: ID number</source>
        <translation>并入：身份证号</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>保留的居民</translation>
    </message>
    <message>
        <source>Merged into it, then removed</source>
        <translation>并入后删除的档案</translation>
    </message>
    <message>
        <source>Swap: keep the other one</source>
        <translation>对调：保留另一位</translation>
    </message>
    <message>
        <source>Merge…</source>
        <translation>合并…</translation>
    </message>
    <message>
        <source>Open kept record</source>
        <translation>查看保留的档案</translation>
    </message>
    <message>
        <source>Open merged record</source>
        <translation>查看并入的档案</translation>
    </message>
    <message>
        <source>Same ID number, registered on two PCs</source>
        <translation>身份证号相同（两台电脑分别登记）</translation>
    </message>
    <message>
        <source>Same name, birth date and village</source>
        <translation>姓名、出生日期和村相同</translation>
    </message>
    <message>
        <source>none (to be checked)</source>
        <translation>无（待核对）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>birth date unknown</source>
        <translation>出生日期不详</translation>
    </message>
    <message>
        <source>%1 (%2, %3, ID number %4)</source>
        <translation>%1（%2，%3，身份证号 %4）</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Health record no.</source>
        <translation>健康档案编号</translation>
    </message>
    <message>
        <source>Registered on</source>
        <translation>建档日期</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>签约协议</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>随访记录</translation>
    </message>
    <message>
        <source>Ledger records</source>
        <translation>台账记录</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Possible duplicates: %1</source>
        <translation>共 %1 对疑似重复</translation>
    </message>
    <message>
        <source>No possible duplicates.</source>
        <translation>没有疑似重复的居民。</translation>
    </message>
    <message>
        <source>Merge residents</source>
        <translation>合并居民</translation>
    </message>
    <message>
        <source>Merge %1 into %2?

Every contract, follow-up and ledger record of the first goes to the second, and the first record is removed. If both have a contract in force, the merged one&apos;s is ended. This cannot be undone.</source>
        <translation>把 %1 并入 %2？

前者的全部签约、随访和台账记录归到后者，前者的档案删除。两人都有在约协议时，并入者的协议解约。合并不可撤销。</translation>
    </message>
    <message>
        <source>Merged into %1.</source>
        <translation>已合并到 %1。</translation>
    </message>
    <message>
        <source>Merging…</source>
        <translation>正在合并…</translation>
    </message>
</context>
<context>
    <name>Failure</name>
    <message>
        <source>Cancelled; nothing was changed.</source>
        <translation>已取消，没有做任何更改。</translation>
    </message>
    <message>
        <source>The chosen path is a folder; choose a file name.</source>
        <translation>所选路径是一个文件夹，请选择一个文件名。</translation>
    </message>
    <message>
        <source>No permission to use this file or folder; choose another place.</source>
        <translation>没有权限使用这个文件或文件夹，请换一个位置。</translation>
    </message>
    <message>
        <source>The file or its folder does not exist; choose an existing folder.</source>
        <translation>文件或所在文件夹不存在，请选择已有的文件夹。</translation>
    </message>
    <message>
        <source>The disk is full; free some space or choose another disk.</source>
        <translation>磁盘已满，请清理空间或换一个磁盘。</translation>
    </message>
    <message>
        <source>The file could not be read or written; check the disk and the path.</source>
        <translation>无法读写该文件，请检查磁盘和路径。</translation>
    </message>
    <message>
        <source>The local database could not complete this step; nothing was lost. Try again; if it repeats, make a backup and contact support.</source>
        <translation>本机数据库未能完成这一步，数据没有丢失。请重试；若反复出现，请先备份再联系技术支持。</translation>
    </message>
    <message>
        <source>Something unexpected went wrong; it was written to the log (logs/familydoc.log). Your saved data is safe.</source>
        <translation>出现意外错误，已记入日志（logs/familydoc.log）。已保存的数据是安全的。</translation>
    </message>
</context>
<context>
    <name>FeePage</name>
    <message>
        <source>Fees by funding source</source>
        <translation>按资金来源的服务费</translation>
    </message>
    <message>
        <source>Regional fee preset</source>
        <translation>地区收费标准</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Basic package (per year)</source>
        <translation>基础服务包（每年）</translation>
    </message>
    <message>
        <source>Total per year</source>
        <translation>每年合计</translation>
    </message>
</context>
<context>
    <name>Feedback</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>FollowupForm</name>
    <message>
        <source>Check-up date</source>
        <translation>体检日期</translation>
    </message>
    <message>
        <source>Visit date</source>
        <translation>随访日期</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>随访方式</translation>
    </message>
    <message>
        <source>Measurements</source>
        <translation>体征</translation>
    </message>
    <message>
        <source>Systolic BP (mmHg)</source>
        <translation>收缩压（mmHg）</translation>
    </message>
    <message>
        <source>Diastolic BP (mmHg)</source>
        <translation>舒张压（mmHg）</translation>
    </message>
    <message>
        <source>Fasting glucose (mmol/L)</source>
        <translation>空腹血糖（mmol/L）</translation>
    </message>
    <message>
        <source>Heart rate (/min)</source>
        <translation>心率（次/分）</translation>
    </message>
    <message>
        <source>Weight (kg)</source>
        <translation>体重（kg）</translation>
    </message>
    <message>
        <source>Height (cm)</source>
        <translation>身高（cm）</translation>
    </message>
    <message>
        <source>BMI (kg/m²)</source>
        <translation>体质指数 BMI（kg/m²）</translation>
    </message>
    <message>
        <source>Adverse drug reaction</source>
        <translation>药物不良反应</translation>
    </message>
    <message>
        <source>New or worse complication</source>
        <translation>新发并发症或原有并发症加重</translation>
    </message>
    <message>
        <source>As suggested</source>
        <translation>按系统建议</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>症状</translation>
    </message>
    <message>
        <source>Medication adherence</source>
        <translation>服药依从性</translation>
    </message>
    <message>
        <source>Classification</source>
        <translation>此次随访分类</translation>
    </message>
    <message>
        <source>Self-care assessment (NBPHS-3)</source>
        <translation>老年人生活自理能力评估</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Check-up results</source>
        <translation>体检结果</translation>
    </message>
    <message>
        <source>Smoking, drinking, exercise, diet</source>
        <translation>吸烟、饮酒、体育锻炼、饮食习惯</translation>
    </message>
    <message>
        <source>Examination and test results; name every abnormality</source>
        <translation>查体及辅助检查结果；有异常须逐项写明</translation>
    </message>
    <message>
        <source>Lifestyle</source>
        <translation>生活方式</translation>
    </message>
    <message>
        <source>Main findings</source>
        <translation>体检主要结果</translation>
    </message>
    <message>
        <source>Health assessment</source>
        <translation>健康评价</translation>
    </message>
    <message>
        <source>Health advice</source>
        <translation>健康指导</translation>
    </message>
    <message>
        <source>Condition assessment (NBPHS-3)</source>
        <translation>病情评估（国家基本公共卫生服务规范）</translation>
    </message>
    <message>
        <source>0 — no behaviour of the levels below</source>
        <translation>0级 — 无以下1-5级中的任何行为</translation>
    </message>
    <message>
        <source>1 — verbal threats or shouting, no damage</source>
        <translation>1级 — 口头威胁、喊叫，但没有打砸行为</translation>
    </message>
    <message>
        <source>2 — smashing things, stopped by persuasion</source>
        <translation>2级 — 打砸行为，局限在家里，能被劝说制止</translation>
    </message>
    <message>
        <source>3 — obvious damage to things, not stopped by persuasion</source>
        <translation>3级 — 明显打砸行为，不分场合，不能接受劝说而停止</translation>
    </message>
    <message>
        <source>4 — keeps damaging things or hurting people</source>
        <translation>4级 — 持续打砸，针对财物或人（包括自伤、自杀）</translation>
    </message>
    <message>
        <source>5 — uses weapons, arson, explosion</source>
        <translation>5级 — 持械伤人，或纵火、爆炸等行为</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Some</source>
        <translation>有</translation>
    </message>
    <message>
        <source>Obvious</source>
        <translation>明显</translation>
    </message>
    <message>
        <source>Full</source>
        <translation>自知力完全</translation>
    </message>
    <message>
        <source>Partial</source>
        <translation>自知力不全</translation>
    </message>
    <message>
        <source>Lacking</source>
        <translation>自知力缺失</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>良好</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Poor</source>
        <translation>较差</translation>
    </message>
    <message>
        <source>Severe adverse drug reaction</source>
        <translation>严重药物不良反应</translation>
    </message>
    <message>
        <source>Severe physical illness</source>
        <translation>严重躯体疾病</translation>
    </message>
    <message>
        <source>Risk level</source>
        <translation>危险性评估</translation>
    </message>
    <message>
        <source>Psychiatric symptoms</source>
        <translation>精神症状</translation>
    </message>
    <message>
        <source>Insight</source>
        <translation>自知力</translation>
    </message>
    <message>
        <source>Social function</source>
        <translation>社会功能</translation>
    </message>
    <message>
        <source>Suggested: %1</source>
        <translation>系统建议：%1</translation>
    </message>
    <message>
        <source>Urgent referral advised: %1</source>
        <translation>建议紧急转诊：%1</translation>
    </message>
    <message>
        <source>A phone call does not count as the yearly face-to-face visit.</source>
        <translation>电话访视不计入年度面对面或入户访视。</translation>
    </message>
    <message>
        <source>Check-up saved</source>
        <translation>健康体检已保存</translation>
    </message>
    <message>
        <source>Follow-up saved</source>
        <translation>随访已保存</translation>
    </message>
    <message>
        <source>Urgent referral</source>
        <translation>紧急转诊</translation>
    </message>
    <message>
        <source>Urgent referral advised. Fill in the referral now?</source>
        <translation>建议紧急转诊。现在填写转诊单吗？</translation>
    </message>
    <message>
        <source>Health assessment: %1</source>
        <translation>健康评价：%1</translation>
    </message>
    <message>
        <source>Classification: %1</source>
        <translation>此次随访分类：%1</translation>
    </message>
    <message>
        <source>Two unsatisfactory follow-ups in a row: consider a referral.</source>
        <translation>连续两次随访控制不满意，建议转诊。</translation>
    </message>
    <message>
        <source>Ledger colour: %1</source>
        <translation>三色管理：%1</translation>
    </message>
    <message>
        <source>Next follow-up due: %1</source>
        <translation>下次随访日期：%1</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>GuardedDialog</name>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>This form has unsaved changes. Save them?</source>
        <translation>表单有未保存的修改，是否保存？</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <source>Today&apos;s work</source>
        <translation>今日工作</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <source>Due within 7 days</source>
        <translation>7天内待办</translation>
    </message>
    <message>
        <source>Due within 14 days</source>
        <translation>14天内待办</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>应完成日期</translation>
    </message>
    <message>
        <source>Overdue (days)</source>
        <translation>逾期（天）</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Funding</source>
        <translation>经费来源</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Do it now…</source>
        <translation>立即处理…</translation>
    </message>
    <message>
        <source>Open record</source>
        <translation>打开档案</translation>
    </message>
    <message>
        <source>80+ annual visits not done</source>
        <translation>80岁以上老人年度访视未完成</translation>
    </message>
    <message>
        <source>Revisits after unsatisfactory visits</source>
        <translation>控制不满意后复诊随访</translation>
    </message>
    <message>
        <source>Chronic disease and severe mental disorder follow-ups</source>
        <translation>慢病、严重精神障碍随访</translation>
    </message>
    <message>
        <source>Sickbed rounds due</source>
        <translation>家庭病床需查床</translation>
    </message>
    <message>
        <source>Contracts expiring</source>
        <translation>签约即将到期</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Could not load the due list: %1</source>
        <translation>无法加载待办：%1</translation>
    </message>
    <message>
        <source>80+ annual visits %1</source>
        <translation>%1年80岁以上老人年度访视</translation>
    </message>
    <message>
        <source>Follow-ups after a down-referral</source>
        <translation>下转患者待随访</translation>
    </message>
    <message>
        <source>Long prescriptions to refill</source>
        <translation>长期处方待续方</translation>
    </message>
    <message>
        <source>Health check-ups (65+) not done</source>
        <translation>65岁及以上老人健康体检未做</translation>
    </message>
    <message>
        <source>Yearly follow-ups of signed residents</source>
        <translation>签约居民年度随访</translation>
    </message>
    <message>
        <source>Ledger: red %1, yellow %2, green %3</source>
        <translation>三色台账：红 %1，黄 %2，绿 %3</translation>
    </message>
    <message>
        <source>Nothing is due. Register residents under Residents (Ctrl+N) or import a roster under Import/Export; signed key-population residents then appear here when a visit is due.</source>
        <translation>暂无待办。请在“居民档案”中登记居民（Ctrl+N），或在“导入导出”中导入花名册；已签约的重点人群到期需随访时会显示在这里。</translation>
    </message>
    <message>
        <source>%1 items due</source>
        <translation>共 %1 项待办</translation>
    </message>
</context>
<context>
    <name>ImportExportScreen</name>
    <message>
        <source>Import and export</source>
        <translation>导入导出</translation>
    </message>
    <message>
        <source>Import a resident roster (xlsx or csv)</source>
        <translation>导入居民花名册（xlsx 或 csv）</translation>
    </message>
    <message>
        <source>Choose file and import…</source>
        <translation>选择文件并导入…</translation>
    </message>
    <message>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>Sheet</source>
        <translation>工作表</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Save error report…</source>
        <translation>保存错误报告…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export residents…</source>
        <translation>导出居民名单…</translation>
    </message>
    <message>
        <source>Export ledger…</source>
        <translation>导出台账…</translation>
    </message>
    <message>
        <source>Exports contain personal information: keep the files safe. Every export is recorded in the access log.</source>
        <translation>导出文件含个人信息，请妥善保管。每次导出都会记入访问日志。</translation>
    </message>
    <message>
        <source>Import roster</source>
        <translation>导入花名册</translation>
    </message>
    <message>
        <source>Rosters (*.xlsx *.csv)</source>
        <translation>花名册 (*.xlsx *.csv)</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Importing rows: %1 / %2</source>
        <translation>正在导入：%1 / %2 行</translation>
    </message>
    <message>
        <source>Importing roster…</source>
        <translation>正在导入花名册…</translation>
    </message>
    <message>
        <source>%1 created, %2 updated, %3 unchanged, %4 rejected</source>
        <translation>新建 %1，更新 %2，未变 %3，未导入 %4</translation>
    </message>
    <message>
        <source>; %1 rows skipped (not residents: totals, signatures, notes)</source>
        <translation>；跳过 %1 行（合计、签名、说明等非居民行）</translation>
    </message>
    <message>
        <source>; %1 residents registered without an ID number got it from this file</source>
        <translation>；%1 名无身份证号的居民已从本文件补全身份证号</translation>
    </message>
    <message>
        <source>; %1 rows have no ID number and are marked for checking</source>
        <translation>；%1 行无身份证号，已标记待核对</translation>
    </message>
    <message>
        <source>Sheet “%1”: %2 created, %3 updated, %4 unchanged, %5 rejected, %6 skipped</source>
        <translation>工作表“%1”：新建 %2，更新 %3，未变 %4，未导入 %5，跳过 %6</translation>
    </message>
    <message>
        <source>Sheet “%1” not imported: %2</source>
        <translation>工作表“%1”未导入：%2</translation>
    </message>
    <message>
        <source>Import cancelled: nothing was changed.</source>
        <translation>导入已取消，未做任何更改。</translation>
    </message>
    <message>
        <source>Import failed, nothing was changed: %1</source>
        <translation>导入失败，未做任何更改：%1</translation>
    </message>
    <message>
        <source>Save error report</source>
        <translation>保存错误报告</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Export residents</source>
        <translation>导出居民名单</translation>
    </message>
    <message>
        <source>Export ledger</source>
        <translation>导出三色管理台账</translation>
    </message>
</context>
<context>
    <name>LedgerScreen</name>
    <message>
        <source>Red-yellow-green ledger</source>
        <translation>红黄绿三色管理台账</translation>
    </message>
    <message>
        <source>All colours</source>
        <translation>全部颜色</translation>
    </message>
    <message>
        <source>All villages</source>
        <translation>全部村</translation>
    </message>
    <message>
        <source>Override colour…</source>
        <translation>调整颜色…</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出到Excel…</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>Key populations</source>
        <translation>重点人群</translation>
    </message>
    <message>
        <source>Changed on</source>
        <translation>变更日期</translation>
    </message>
    <message>
        <source>Overridden</source>
        <translation>人工调整</translation>
    </message>
    <message>
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Red %1 · Yellow %2 · Green %3</source>
        <translation>红 %1 · 黄 %2 · 绿 %3</translation>
    </message>
    <message>
        <source>%1 residents in the ledger</source>
        <translation>台账共 %1 人</translation>
    </message>
    <message>
        <source>The ledger lists signed key-population residents; none yet.</source>
        <translation>台账列出已签约的重点人群，目前还没有。</translation>
    </message>
    <message>
        <source>Export ledger</source>
        <translation>导出三色管理台账</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Exporting the ledger…</source>
        <translation>正在导出台账…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign in to the sync server</source>
        <translation>登录同步服务器</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Enter the server address, user name and password.</source>
        <translation>请填写服务器地址、用户名和密码。</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Account of another organisation</source>
        <translation>其他机构的账号</translation>
    </message>
    <message>
        <source>Sign in with this account anyway? Choose Cancel to keep this PC as it is.</source>
        <translation>仍要用此账号登录吗？选“取消”则本机保持不变。</translation>
    </message>
    <message>
        <source>Sign in anyway</source>
        <translation>仍然登录</translation>
    </message>
    <message>
        <source>Not signed in; nothing on this PC was changed.</source>
        <translation>未登录，本机数据未作任何改动。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>FamilyDoc — family doctor contract service</source>
        <translation>家医签约助手</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日工作</translation>
    </message>
    <message>
        <source>Residents</source>
        <translation>居民档案</translation>
    </message>
    <message>
        <source>Ledger</source>
        <translation>三色台账</translation>
    </message>
    <message>
        <source>Sickbeds</source>
        <translation>家庭病床</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>其他服务</translation>
    </message>
    <message>
        <source>Indicators</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <source>Village sync</source>
        <translation>各村同步情况</translation>
    </message>
    <message>
        <source>Import/Export</source>
        <translation>导入导出</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>疑似重复</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Import roster…</source>
        <translation>导入花名册…</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;Residents</source>
        <translation>居民(&amp;R)</translation>
    </message>
    <message>
        <source>New resident…</source>
        <translation>新建居民…</translation>
    </message>
    <message>
        <source>Search residents</source>
        <translation>查找居民</translation>
    </message>
    <message>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Review conflicts…</source>
        <translation>处理冲突…</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>About FamilyDoc</source>
        <translation>关于家医签约助手</translation>
    </message>
    <message>
        <source>FamilyDoc %1
Offline-first family doctor contract service for village clinics.</source>
        <translation>家医签约助手 %1
面向村卫生室的离线优先家庭医生签约服务软件。</translation>
    </message>
    <message>
        <source>Work in progress</source>
        <translation>任务进行中</translation>
    </message>
    <message>
        <source>A task is still running. Wait for it to finish and quit?</source>
        <translation>还有任务在运行。等待其完成后退出吗？</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Override colour — %1</source>
        <translation>调整颜色 — %1</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>New colour</source>
        <translation>调整为</translation>
    </message>
    <message>
        <source>Reason *</source>
        <translation>原因 *</translation>
    </message>
    <message>
        <source>Override</source>
        <translation>调整</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>PackagePage</name>
    <message>
        <source>Service packages</source>
        <translation>服务包</translation>
    </message>
    <message>
        <source>The basic package is always included; tick the personalised packages the resident chose.</source>
        <translation>基础服务包必签；请勾选居民选择的个性化服务包。</translation>
    </message>
    <message>
        <source> [basic public health service]</source>
        <translation> [基本公共卫生服务]</translation>
    </message>
    <message>
        <source>Personal share of personalised packages</source>
        <translation>个性化服务包个人付费比例</translation>
    </message>
</context>
<context>
    <name>PointsDialog</name>
    <message>
        <source>Health points — %1</source>
        <translation>健康积分 — %1</translation>
    </message>
    <message>
        <source>Balance: %1</source>
        <translation>现有积分：%1</translation>
    </message>
    <message>
        <source>Earn</source>
        <translation>获得积分</translation>
    </message>
    <message>
        <source>Redeem</source>
        <translation>兑换</translation>
    </message>
    <message>
        <source>%1 (up to %2)</source>
        <translation>%1（每次最多%2分）</translation>
    </message>
    <message>
        <source>Earn or redeem</source>
        <translation>获得或兑换</translation>
    </message>
    <message>
        <source>Earned for</source>
        <translation>获得事由</translation>
    </message>
    <message>
        <source>Redeemed for</source>
        <translation>兑换的服务或用品</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>PointsTab</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>For</source>
        <translation>事由</translation>
    </message>
    <message>
        <source>Latest entries</source>
        <translation>最近的记录</translation>
    </message>
    <message>
        <source>Earn or redeem…</source>
        <translation>记分或兑换…</translation>
    </message>
    <message>
        <source>Health points of</source>
        <translation>选择居民</translation>
    </message>
</context>
<context>
    <name>PrescriptionDialog</name>
    <message>
        <source>Long prescription — %1</source>
        <translation>长期处方 — %1</translation>
    </message>
    <message>
        <source> weeks</source>
        <translation> 周</translation>
    </message>
    <message>
        <source>One drug per line: name, then dose and use, e.g. 氨氯地平片 5mg 每日一次</source>
        <translation>每行一种药：药名，再写用法用量，如 氨氯地平片 5mg 每日一次</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>Weeks (4-12)</source>
        <translation>周数（4—12）</translation>
    </message>
    <message>
        <source>Refill due</source>
        <translation>续方日期</translation>
    </message>
    <message>
        <source>Drugs and doses *</source>
        <translation>药品及用法用量 *</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>4 to 12 weeks only</source>
        <translation>只能开4—12周</translation>
    </message>
</context>
<context>
    <name>PrescriptionsTab</name>
    <message>
        <source>Start</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Weeks</source>
        <translation>周数</translation>
    </message>
    <message>
        <source>Refill due</source>
        <translation>续方日期</translation>
    </message>
    <message>
        <source>Drugs and doses</source>
        <translation>药品及用法用量</translation>
    </message>
    <message>
        <source>Running today</source>
        <translation>今日在用</translation>
    </message>
    <message>
        <source>All prescriptions</source>
        <translation>全部处方</translation>
    </message>
    <message>
        <source>New long prescription…</source>
        <translation>新开长期处方…</translation>
    </message>
    <message>
        <source>Refill…</source>
        <translation>续方…</translation>
    </message>
    <message>
        <source>Long prescription for</source>
        <translation>选择开具长期处方的居民</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>Print agreement</source>
        <translation>打印协议书</translation>
    </message>
    <message>
        <source>Print the agreement to a printer or save it as PDF?</source>
        <translation>打印协议书到打印机，还是保存为PDF？</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>保存为PDF</translation>
    </message>
    <message>
        <source>Printer…</source>
        <translation>打印机…</translation>
    </message>
</context>
<context>
    <name>PushDialog</name>
    <message>
        <source>Health information push</source>
        <translation>健康信息推送</translation>
    </message>
    <message>
        <source>Choose or type the topic</source>
        <translation>选择或填写推送主题</translation>
    </message>
    <message>
        <source>To</source>
        <translation>推送对象</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>服务类别</translation>
    </message>
    <message>
        <source>Topic *</source>
        <translation>推送主题 *</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>推送方式</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>推送日期</translation>
    </message>
    <message>
        <source>Record push</source>
        <translation>登记推送</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Recording the push for %1 residents…</source>
        <translation>正在为 %1 位居民登记推送…</translation>
    </message>
</context>
<context>
    <name>PushesTab</name>
    <message>
        <source>All villages</source>
        <translation>全部村</translation>
    </message>
    <message>
        <source>Every signed resident</source>
        <translation>全部签约居民</translation>
    </message>
    <message>
        <source>Only those short of %1 this year</source>
        <translation>只看今年不足%1次的</translation>
    </message>
    <message>
        <source>Push to selected…</source>
        <translation>推送给选中的居民…</translation>
    </message>
    <message>
        <source>Push to everyone listed…</source>
        <translation>推送给列表中的全部居民…</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Pushes this year</source>
        <translation>今年已推送</translation>
    </message>
    <message>
        <source>Still owed</source>
        <translation>还差</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>%1 signed residents have had fewer than %2 pushes in %3</source>
        <translation>%3年健康信息推送不足%2次的签约居民 %1 人</translation>
    </message>
    <message>
        <source>%1 signed residents; pushes each had in %3 (at least %2 a year)</source>
        <translation>签约居民 %1 人及其%3年已推送次数（每年不少于%2次）</translation>
    </message>
    <message>
        <source>Nobody to list.</source>
        <translation>没有符合条件的居民。</translation>
    </message>
    <message>
        <source>%1 and %2 others</source>
        <translation>%1等，另有%2人</translation>
    </message>
    <message>
        <source>%1 residents (%2)</source>
        <translation>%1 位居民（%2）</translation>
    </message>
</context>
<context>
    <name>ReferralDialog</name>
    <message>
        <source>Referral</source>
        <translation>转诊</translation>
    </message>
    <message>
        <source>Up (to a higher hospital)</source>
        <translation>上转（转往上级医院）</translation>
    </message>
    <message>
        <source>Down (back to the clinic)</source>
        <translation>下转（转回基层）</translation>
    </message>
    <message>
        <source>Choose or type the unit</source>
        <translation>选择或填写接收机构</translation>
    </message>
    <message>
        <source>Urgent referral</source>
        <translation>紧急转诊</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>转诊方向</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Receiving unit *</source>
        <translation>接收机构 *</translation>
    </message>
    <message>
        <source>Reason *</source>
        <translation>转诊原因 *</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ReferralStepDialog</name>
    <message>
        <source>Referral step</source>
        <translation>转诊进展</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ReferralsTab</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source> (urgent)</source>
        <translation>（紧急）</translation>
    </message>
    <message>
        <source>Receiving unit</source>
        <translation>接收机构</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>接收日期</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>完成日期</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退回日期</translation>
    </message>
    <message>
        <source>Open referrals</source>
        <translation>未完成的转诊</translation>
    </message>
    <message>
        <source>All referrals</source>
        <translation>全部转诊</translation>
    </message>
    <message>
        <source>New referral…</source>
        <translation>新建转诊…</translation>
    </message>
    <message>
        <source>Next step…</source>
        <translation>下一步…</translation>
    </message>
    <message>
        <source>Refer a resident</source>
        <translation>选择转诊居民</translation>
    </message>
</context>
<context>
    <name>ReportCharts</name>
    <message>
        <source>Target %1%</source>
        <translation>目标 %1%</translation>
    </message>
    <message>
        <source>by village</source>
        <translation>按村</translation>
    </message>
    <message>
        <source>by team</source>
        <translation>按团队</translation>
    </message>
    <message>
        <source>by doctor</source>
        <translation>按医生</translation>
    </message>
    <message>
        <source>total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Signing rate (coverage), %1</source>
        <translation>签约率（%1）</translation>
    </message>
    <message>
        <source>Red-yellow-green ledger (persons), %1</source>
        <translation>三色管理人数（%1）</translation>
    </message>
    <message>
        <source>80+ annual visit completion, %1</source>
        <translation>80岁以上老人年度访视完成率（%1）</translation>
    </message>
</context>
<context>
    <name>ReportsScreen</name>
    <message>
        <source>Indicators</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <source>Total only</source>
        <translation>只看合计</translation>
    </message>
    <message>
        <source>By village</source>
        <translation>按村</translation>
    </message>
    <message>
        <source>By team</source>
        <translation>按团队</translation>
    </message>
    <message>
        <source>By doctor</source>
        <translation>按医生</translation>
    </message>
    <message>
        <source>This PC&apos;s data</source>
        <translation>本机数据</translation>
    </message>
    <message>
        <source>From the server</source>
        <translation>来自服务器</translation>
    </message>
    <message>
        <source>Calculate</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>统计期</translation>
    </message>
    <message>
        <source>as of</source>
        <translation>统计日期</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>表格</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Calculating…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>Calculating the indicators…</source>
        <translation>正在统计各项指标…</translation>
    </message>
    <message>
        <source>Asking the sync server…</source>
        <translation>正在向同步服务器查询……</translation>
    </message>
    <message>
        <source>Fetching the indicators from the server…</source>
        <translation>正在从服务器获取统计指标……</translation>
    </message>
    <message>
        <source>Cannot reach the sync server. Check this PC&apos;s network connection, or calculate from this PC&apos;s data.</source>
        <translation>无法连接同步服务器。请检查本机网络连接，或改用本机数据统计。</translation>
    </message>
    <message>
        <source>Indicator</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Below the target of %1%</source>
        <translation>低于目标 %1%</translation>
    </message>
    <message>
        <source>Period %1 to %2, as of %3. Rates in bold; — where nobody was counted.</source>
        <translation>统计期 %1 至 %2，统计日期 %3。粗体为率；“—”表示分母为零。</translation>
    </message>
    <message>
        <source>Red: below the target (%1 of the totals).</source>
        <translation>红色：低于目标（合计列 %1 项）。</translation>
    </message>
    <message>
        <source>Figures computed by the sync server.</source>
        <translation>数据由同步服务器统计。</translation>
    </message>
    <message>
        <source>Export indicators</source>
        <translation>导出统计报表</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Exporting the indicators…</source>
        <translation>正在导出统计报表…</translation>
    </message>
</context>
<context>
    <name>ResidentForm</name>
    <message>
        <source>New resident</source>
        <translation>新建居民档案</translation>
    </message>
    <message>
        <source>Resident record</source>
        <translation>居民档案</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>基本信息</translation>
    </message>
    <message>
        <source>Name *</source>
        <translation>姓名 *</translation>
    </message>
    <message>
        <source>18 digits; fills birth date and sex</source>
        <translation>18位，自动填写出生日期和性别</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show the full ID number and phone (logged)</source>
        <translation>显示完整身份证号和电话（将记入日志）</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>家庭</translation>
    </message>
    <message>
        <source>Village name or 12-digit code</source>
        <translation>村名或12位村编码</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Household number (new or existing)</source>
        <translation>户号（新户或已有户）</translation>
    </message>
    <message>
        <source>Household no.</source>
        <translation>户号</translation>
    </message>
    <message>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <source>Key populations (diagnoses and groups)</source>
        <translation>重点人群（诊断与类别）</translation>
    </message>
    <message>
        <source>Age %1</source>
        <translation>%1岁</translation>
    </message>
    <message>
        <source>Resident record — %1</source>
        <translation>居民档案 — %1</translation>
    </message>
    <message>
        <source>Without an ID number, sex and birth date are required; the record is flagged for matching.</source>
        <translation>无身份证号时须填写性别和出生日期，档案将标记为待核对。</translation>
    </message>
</context>
<context>
    <name>ResidentHistory</name>
    <message>
        <source>Sign contract…</source>
        <translation>签约…</translation>
    </message>
    <message>
        <source>Renew…</source>
        <translation>续签…</translation>
    </message>
    <message>
        <source>Terminate…</source>
        <translation>解约…</translation>
    </message>
    <message>
        <source>Print agreement…</source>
        <translation>打印协议书…</translation>
    </message>
    <message>
        <source>Record follow-up</source>
        <translation>录入随访</translation>
    </message>
    <message>
        <source>Admit to home sickbed…</source>
        <translation>家庭病床建床…</translation>
    </message>
    <message>
        <source>Refer…</source>
        <translation>转诊…</translation>
    </message>
    <message>
        <source>Referral step…</source>
        <translation>转诊进展…</translation>
    </message>
    <message>
        <source>Mark the selected referral received, completed or returned</source>
        <translation>将选中的转诊标记为已接收、已完成或已退回</translation>
    </message>
    <message>
        <source>Other services</source>
        <translation>其他服务</translation>
    </message>
    <message>
        <source>Long prescription…</source>
        <translation>长期处方…</translation>
    </message>
    <message>
        <source>Drug shortage…</source>
        <translation>缺药登记…</translation>
    </message>
    <message>
        <source>Health points…</source>
        <translation>健康积分…</translation>
    </message>
    <message>
        <source>Satisfaction survey…</source>
        <translation>满意度调查…</translation>
    </message>
    <message>
        <source>Health information push…</source>
        <translation>健康信息推送…</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Years</source>
        <translation>年限</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <source>Fees (PH/Ins/Personal)</source>
        <translation>服务费（公卫/医保/个人）</translation>
    </message>
    <message>
        <source>Termination</source>
        <translation>解约</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>随访方式</translation>
    </message>
    <message>
        <source>BP</source>
        <translation>血压</translation>
    </message>
    <message>
        <source>Glucose</source>
        <translation>血糖</translation>
    </message>
    <message>
        <source>Self-care</source>
        <translation>自理评分</translation>
    </message>
    <message>
        <source>Classification</source>
        <translation>此次随访分类</translation>
    </message>
    <message>
        <source>Next due</source>
        <translation>下次随访</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Override</source>
        <translation>调整</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>建床日期</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Diagnosis</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Discharged</source>
        <translation>撤床日期</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>转归</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>转诊方向</translation>
    </message>
    <message>
        <source> (urgent)</source>
        <translation>（紧急）</translation>
    </message>
    <message>
        <source>Receiving unit</source>
        <translation>接收机构</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>接收日期</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>完成日期</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退回日期</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>服务</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Funding</source>
        <translation>经费来源</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>签约协议</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>随访记录</translation>
    </message>
    <message>
        <source>Ledger</source>
        <translation>三色台账</translation>
    </message>
    <message>
        <source>Sickbeds</source>
        <translation>家庭病床</translation>
    </message>
    <message>
        <source>Referrals</source>
        <translation>转诊记录</translation>
    </message>
    <message>
        <source>Household members</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <source>Save agreement as PDF</source>
        <translation>将协议书保存为PDF</translation>
    </message>
    <message>
        <source>Print agreement</source>
        <translation>打印协议书</translation>
    </message>
</context>
<context>
    <name>ResidentPicker</name>
    <message>
        <source>Choose a resident</source>
        <translation>选择居民</translation>
    </message>
    <message>
        <source>Search: name, pinyin initials, ID or phone tail</source>
        <translation>查找：姓名、拼音首字母、身份证或电话尾号</translation>
    </message>
</context>
<context>
    <name>ResidentTableModel</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>家庭</translation>
    </message>
    <message>
        <source>Household no. %1</source>
        <translation>户号 %1</translation>
    </message>
    <message>
        <source>%1&apos;s family</source>
        <translation>%1家</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>签约</translation>
    </message>
    <message>
        <source>Ledger</source>
        <translation>三色台账</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
</context>
<context>
    <name>ResidentsScreen</name>
    <message>
        <source>Search: name, pinyin initials, ID or phone tail (Ctrl+F)</source>
        <translation>查找：姓名、拼音首字母、身份证或电话尾号（Ctrl+F）</translation>
    </message>
    <message>
        <source>All villages</source>
        <translation>全部村</translation>
    </message>
    <message>
        <source>All populations</source>
        <translation>全部人群</translation>
    </message>
    <message>
        <source>Any colour</source>
        <translation>任意颜色</translation>
    </message>
    <message>
        <source>Any contract status</source>
        <translation>任意签约状态</translation>
    </message>
    <message>
        <source>Show full ID numbers and phones</source>
        <translation>显示完整身份证号和电话</translation>
    </message>
    <message>
        <source>Viewing full numbers is logged</source>
        <translation>查看完整号码会记入访问日志</translation>
    </message>
    <message>
        <source>New resident (Ctrl+N)</source>
        <translation>新建居民（Ctrl+N）</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>%1 residents</source>
        <translation>共 %1 名居民</translation>
    </message>
    <message>
        <source>No resident matches.</source>
        <translation>没有符合条件的居民。</translation>
    </message>
    <message>
        <source>No residents yet: press Ctrl+N to register one, or import a roster.</source>
        <translation>还没有居民档案：按 Ctrl+N 新建，或导入花名册。</translation>
    </message>
</context>
<context>
    <name>ResolveShortageDialog</name>
    <message>
        <source>Drug shortage resolved</source>
        <translation>缺药已解决</translation>
    </message>
    <message>
        <source>e.g. bought in, sent by the county hospital</source>
        <translation>如：已采购、县医院调配</translation>
    </message>
    <message>
        <source>Resolved on</source>
        <translation>解决日期</translation>
    </message>
    <message>
        <source>How</source>
        <translation>解决办法</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RoundDialog</name>
    <message>
        <source>Sickbed round — %1</source>
        <translation>查床 — %1</translation>
    </message>
    <message>
        <source>Patient: %1</source>
        <translation>患者：%1</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>查床所见</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>医嘱</translation>
    </message>
    <message>
        <source>By</source>
        <translation>查床人</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ServiceTab</name>
    <message>
        <source>%1 records</source>
        <translation>共 %1 条</translation>
    </message>
</context>
<context>
    <name>ServicesScreen</name>
    <message>
        <source>Other contracted services</source>
        <translation>其他签约服务</translation>
    </message>
    <message>
        <source>Two-way referral</source>
        <translation>双向转诊</translation>
    </message>
    <message>
        <source>Long prescriptions</source>
        <translation>长期处方</translation>
    </message>
    <message>
        <source>Drug shortages</source>
        <translation>缺药登记</translation>
    </message>
    <message>
        <source>Health points</source>
        <translation>健康积分</translation>
    </message>
    <message>
        <source>Health information pushes</source>
        <translation>健康信息推送</translation>
    </message>
    <message>
        <source>Satisfaction surveys</source>
        <translation>满意度调查</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Sync server and account</source>
        <translation>同步服务器与账号</translation>
    </message>
    <message>
        <source>Save address</source>
        <translation>保存地址</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>This PC&apos;s clinic</source>
        <translation>本机所属机构</translation>
    </message>
    <message>
        <source>Regional rule sets</source>
        <translation>地区规则</translation>
    </message>
    <message>
        <source>Fee preset</source>
        <translation>签约服务费标准</translation>
    </message>
    <message>
        <source>Ledger colours</source>
        <translation>三色管理规则</translation>
    </message>
    <message>
        <source>Visit intervals</source>
        <translation>随访间隔规则</translation>
    </message>
    <message>
        <source>Indicator targets</source>
        <translation>指标目标</translation>
    </message>
    <message>
        <source>Language (after restart)</source>
        <translation>界面语言（重启后生效）</translation>
    </message>
    <message>
        <source>Backup and restore</source>
        <translation>备份与恢复</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Restore from a backup…</source>
        <translation>从备份恢复…</translation>
    </message>
    <message>
        <source>(not signed in)</source>
        <translation>（未登录）</translation>
    </message>
    <message>
        <source> (signed out)</source>
        <translation>（已退出）</translation>
    </message>
    <message>
        <source>Backups are written to %1</source>
        <translation>备份保存在 %1</translation>
    </message>
    <message>
        <source>The address must start with https:// or http://</source>
        <translation>地址须以 https:// 或 http:// 开头</translation>
    </message>
    <message>
        <source>Backup saved: %1</source>
        <translation>备份已保存：%1</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Backups (*.db *.fdbak *.zip);;All (*)</source>
        <translation>备份文件 (*.db *.fdbak *.zip);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Restoring replaces everything on this PC with the backup. Changes not yet synced since the backup are lost. The app closes afterwards. Continue?</source>
        <translation>恢复会用备份替换本机的全部数据，备份之后尚未同步的更改将丢失，恢复后程序会关闭。继续吗？</translation>
    </message>
    <message>
        <source>Restored. Start the app again to continue.</source>
        <translation>已恢复。请重新启动程序。</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>正在恢复…</translation>
    </message>
</context>
<context>
    <name>ShortageDialog</name>
    <message>
        <source>Drug shortage — %1</source>
        <translation>缺药登记 — %1</translation>
    </message>
    <message>
        <source>Reported on</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <source>Drug *</source>
        <translation>药品 *</translation>
    </message>
    <message>
        <source>Specification</source>
        <translation>规格</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ShortagesTab</name>
    <message>
        <source>Reported on</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>卫生室</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Drug</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Specification</source>
        <translation>规格</translation>
    </message>
    <message>
        <source>Resolved on</source>
        <translation>解决日期</translation>
    </message>
    <message>
        <source>How</source>
        <translation>解决办法</translation>
    </message>
    <message>
        <source>Still missing</source>
        <translation>尚未解决</translation>
    </message>
    <message>
        <source>All shortages</source>
        <translation>全部缺药登记</translation>
    </message>
    <message>
        <source>Register shortage…</source>
        <translation>登记缺药…</translation>
    </message>
    <message>
        <source>Resolved…</source>
        <translation>已解决…</translation>
    </message>
    <message>
        <source>Drug shortage for</source>
        <translation>选择登记缺药的居民</translation>
    </message>
</context>
<context>
    <name>SickbedsScreen</name>
    <message>
        <source>Home sickbeds</source>
        <translation>家庭病床</translation>
    </message>
    <message>
        <source>Admit…</source>
        <translation>建床…</translation>
    </message>
    <message>
        <source>Record round…</source>
        <translation>录入查床…</translation>
    </message>
    <message>
        <source>Discharge…</source>
        <translation>撤床…</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>建床日期</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Diagnosis</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Last round</source>
        <translation>上次查床</translation>
    </message>
    <message>
        <source>Round due</source>
        <translation>应查床</translation>
    </message>
    <message>
        <source>overdue %1 days</source>
        <translation>逾期 %1 天</translation>
    </message>
    <message>
        <source>No open home sickbeds. Admit a resident from here or from the resident&apos;s record.</source>
        <translation>目前没有在床的家庭病床。可在此处或居民档案中建床。</translation>
    </message>
    <message>
        <source>%1 rounds due</source>
        <translation>%1 张家庭病床需查床</translation>
    </message>
    <message>
        <source>Admit to home sickbed</source>
        <translation>家庭病床建床</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Encrypting the local database (only this once, after the upgrade); a backup is made first. Please wait…</source>
        <translation>正在加密本地数据库（升级后只需进行这一次），会先做好备份。请稍候…</translation>
    </message>
</context>
<context>
    <name>SurveyDialog</name>
    <message>
        <source>Satisfaction survey — %1</source>
        <translation>满意度调查 — %1</translation>
    </message>
    <message>
        <source>In person</source>
        <translation>面对面</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>调查方式</translation>
    </message>
    <message>
        <source>Knows the team and how to reach it</source>
        <translation>了解家庭医生团队及联系方式</translation>
    </message>
    <message>
        <source>Attitude of the doctor</source>
        <translation>医生服务态度</translation>
    </message>
    <message>
        <source>Follow-ups and check-ups on time</source>
        <translation>随访和体检及时</translation>
    </message>
    <message>
        <source>Medicines available</source>
        <translation>常用药品能够配到</translation>
    </message>
    <message>
        <source>Overall satisfaction</source>
        <translation>总体满意度</translation>
    </message>
    <message>
        <source> (1-5)</source>
        <translation>（1—5分）</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>意见建议</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SurveysTab</name>
    <message>
        <source>New survey…</source>
        <translation>登记满意度调查…</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>调查日期</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>调查方式</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>各题评分</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>意见建议</translation>
    </message>
    <message>
        <source>%1 surveys</source>
        <translation>共 %1 份调查</translation>
    </message>
    <message>
        <source>%1 %2 (%3 surveys)</source>
        <translation>%1 %2（%3份）</translation>
    </message>
    <message>
        <source>(not signed)</source>
        <translation>（未签约）</translation>
    </message>
    <message>
        <source>Satisfaction rate this year, per team: %1</source>
        <translation>今年各团队满意率：%1</translation>
    </message>
    <message>
        <source>Satisfaction survey of</source>
        <translation>满意度调查：选择居民</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Sending changes</source>
        <translation>正在发送更改</translation>
    </message>
    <message>
        <source>Receiving changes</source>
        <translation>正在接收更改</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>正在核对</translation>
    </message>
    <message>
        <source>Syncing with the server…</source>
        <translation>正在与服务器同步…</translation>
    </message>
</context>
<context>
    <name>SyncReport</name>
    <message>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <source>%1 (its own PCs)</source>
        <translation>%1（本机构的电脑）</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>机构代码</translation>
    </message>
    <message>
        <source>Village clinic</source>
        <translation>村卫生室</translation>
    </message>
    <message>
        <source>PCs</source>
        <translation>电脑</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>上次成功同步</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待上传</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>被拒修改</translation>
    </message>
    <message>
        <source>Open conflicts</source>
        <translation>待处理冲突</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>情况</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>电脑名称</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>软件版本</translation>
    </message>
    <message>
        <source>Sync via</source>
        <translation>同步方式</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>本机冲突</translation>
    </message>
    <message>
        <source>Clock offset</source>
        <translation>时钟偏差</translation>
    </message>
    <message>
        <source>Data check</source>
        <translation>数据核对</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>USB drive</source>
        <translation>U盘</translation>
    </message>
    <message>
        <source>network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>未核对</translation>
    </message>
    <message>
        <source>matches</source>
        <translation>一致</translation>
    </message>
    <message>
        <source>mismatch</source>
        <translation>不一致</translation>
    </message>
</context>
<context>
    <name>SyncReportScreen</name>
    <message>
        <source>Village sync status</source>
        <translation>各村同步情况</translation>
    </message>
    <message>
        <source>Flag clinics not synced for</source>
        <translation>未同步即标记：</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Red: no PC, not synced, last sync failed or data check mismatch</source>
        <translation>红色：没有电脑、未按时同步、同步失败或数据核对不一致</translation>
    </message>
    <message>
        <source>Amber: a PC behind, clock off, refused edits, old version or open conflicts</source>
        <translation>黄色：有电脑落后、时钟偏差、修改被拒、版本过旧或有待处理冲突</translation>
    </message>
    <message>
        <source>PCs of the chosen clinic</source>
        <translation>所选卫生室的电脑</translation>
    </message>
    <message>
        <source>Asking the sync server…</source>
        <translation>正在向同步服务器查询……</translation>
    </message>
    <message>
        <source>Fetching the sync report…</source>
        <translation>正在获取各村同步情况……</translation>
    </message>
    <message>
        <source>Cannot reach the sync server, so the villages&apos; sync status cannot be shown now. Check this PC&apos;s network connection and press Refresh.</source>
        <translation>无法连接同步服务器，暂时看不到各村同步情况。请检查本机网络连接后点“刷新”。</translation>
    </message>
    <message>
        <source>The table shows the report of %1.</source>
        <translation>表中仍是 %1 获取的情况。</translation>
    </message>
    <message>
        <source>%1 village clinics: %2 red, %3 amber, %4 without a flag.</source>
        <translation>%1 个村卫生室：%2 个红色，%3 个黄色，%4 个正常。</translation>
    </message>
    <message>
        <source>No village clinic in this account&apos;s scope.</source>
        <translation>此账号范围内没有村卫生室。</translation>
    </message>
    <message>
        <source>Also listed: the PCs of %1 township or county offices.</source>
        <translation>另列出 %1 个乡镇（县）机构的电脑。</translation>
    </message>
    <message>
        <source>Report of %1 from the sync server.</source>
        <translation>同步服务器 %1 的报告。</translation>
    </message>
    <message>
        <source>PCs of %1 (%2)</source>
        <translation>%1 的电脑（%2）</translation>
    </message>
    <message>
        <source>Export the sync report</source>
        <translation>导出各村同步情况</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Exporting the sync report…</source>
        <translation>正在导出各村同步情况……</translation>
    </message>
    <message>
        <source>Sent to the printer.</source>
        <translation>已送往打印机。</translation>
    </message>
    <message>
        <source>Preparing the print…</source>
        <translation>正在准备打印……</translation>
    </message>
    <message>
        <source>Print the sync report</source>
        <translation>打印各村同步情况</translation>
    </message>
    <message>
        <source>Print the sync report to a printer or save it as PDF?</source>
        <translation>打印到打印机，还是保存为 PDF？</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>保存为 PDF</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
</context>
<context>
    <name>SyncScreen</name>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>上次成功同步</translation>
    </message>
    <message>
        <source>Changes waiting</source>
        <translation>待发送的更改</translation>
    </message>
    <message>
        <source>Open conflicts</source>
        <translation>待处理冲突</translation>
    </message>
    <message>
        <source>Last result</source>
        <translation>上次结果</translation>
    </message>
    <message>
        <source>Sync now (F5)</source>
        <translation>立即同步（F5）</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <source>Review conflicts…</source>
        <translation>处理冲突…</translation>
    </message>
    <message>
        <source>Work is saved on this PC first. When the server can be reached, changes are sent automatically; F5 syncs at once.</source>
        <translation>所有工作先保存在本机。能连接服务器时会自动发送更改；按 F5 立即同步。</translation>
    </message>
    <message>
        <source>USB transfer (no network)</source>
        <translation>U盘同步（没有网络时）</translation>
    </message>
    <message>
        <source>Write changes for the server…</source>
        <translation>写出本机修改（交给乡镇）…</translation>
    </message>
    <message>
        <source>Read the server&apos;s file…</source>
        <translation>导入乡镇返回的文件…</translation>
    </message>
    <message>
        <source>With no line: write this PC&apos;s changes to a USB stick for the township, and read the file the township writes back. Only the server can read what you write; a changed or foreign file is refused. Sign in once over the network first.</source>
        <translation>没有网络时：把本机的修改写到U盘交给乡镇，再导入乡镇写回的文件。写出的文件只有服务器能解密；被改动或不属于本机的文件会被拒绝。需先在有网络时登录一次。</translation>
    </message>
    <message>
        <source>Changes that were not synced</source>
        <translation>未能同步的修改</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>情况</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>I have seen these</source>
        <translation>我已知晓</translation>
    </message>
    <message>
        <source>Write changes for the server</source>
        <translation>写出本机修改</translation>
    </message>
    <message>
        <source>FamilyDoc USB file (*.fdbundle)</source>
        <translation>家医签约助手U盘文件 (*.fdbundle)</translation>
    </message>
    <message>
        <source>Writing the USB file…</source>
        <translation>正在写出U盘文件…</translation>
    </message>
    <message>
        <source>Read the server&apos;s file</source>
        <translation>导入乡镇返回的文件</translation>
    </message>
    <message>
        <source>FamilyDoc USB file (*.fdbundle);;All files (*)</source>
        <translation>家医签约助手U盘文件 (*.fdbundle);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Reading the USB file…</source>
        <translation>正在导入U盘文件…</translation>
    </message>
    <message>
        <source>%1 changes written to %2. Hand it to the township; they stay waiting until the server&apos;s answer is read.</source>
        <translation>已把 %1 条修改写入 %2。请交给乡镇；导入乡镇返回的文件之前，这些修改仍算未同步。</translation>
    </message>
    <message>
        <source>%1 records received, %2 of your changes confirmed, %3 still waiting.</source>
        <translation>收到 %1 条记录，确认上传 %2 条修改，仍有 %3 条未同步。</translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation>（未设置）</translation>
    </message>
    <message>
        <source> (signed out)</source>
        <translation>（已退出）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <source>%1 changes were set aside by the sync and are kept on this PC. Edits the server refused were not uploaded (often: the resident now belongs to another clinic); records the server sent that this PC could not store were kept apart. Tell the township if they matter, then confirm you have seen them.</source>
        <translation>同步搁置了 %1 条修改，均已保存在本机。被服务器拒绝的本机修改没有上传（常见原因：该居民已划归其他机构）；服务器发来但本机无法写入的数据已另行保存。如有需要请告知乡镇卫生院，然后点击“我已知晓”。</translation>
    </message>
    <message>
        <source>%1 sent, %2 received, %3 conflicts, %4 s</source>
        <translation>发送 %1，接收 %2，冲突 %3，用时 %4 秒</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Not signed in to a sync server</source>
        <translation>未登录同步服务器</translation>
    </message>
    <message>
        <source>Sync (F5)</source>
        <translation>同步（F5）</translation>
    </message>
    <message>
        <source>Server reachable</source>
        <translation>服务器已连接</translation>
    </message>
    <message>
        <source>Server not reachable</source>
        <translation>无法连接服务器</translation>
    </message>
    <message>
        <source>Not signed in to a sync server · %1 changes waiting</source>
        <translation>未登录同步服务器 · %1 条更改待发送</translation>
    </message>
    <message>
        <source>Last sync: %1 · %2 changes waiting</source>
        <translation>上次同步：%1 · %2 条更改待发送</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>%1 conflicts to review</source>
        <translation>%1 个冲突待处理</translation>
    </message>
    <message>
        <source>%1 changes not synced: see Sync</source>
        <translation>%1 条修改未能同步：请到“同步”查看</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>同步失败：%1</translation>
    </message>
    <message>
        <source>Synced with problems: %1 sent, %2 received, %3 changes set aside</source>
        <translation>同步有问题：发送 %1 条，接收 %2 条，搁置 %3 条修改</translation>
    </message>
    <message>
        <source>Synced: %1 sent, %2 received</source>
        <translation>同步完成：发送 %1，接收 %2</translation>
    </message>
</context>
<context>
    <name>TeamPage</name>
    <message>
        <source>Team, doctor and term</source>
        <translation>团队、医生和期限</translation>
    </message>
    <message numerus="yes">
        <source>%n year(s)</source>
        <translation>
            <numerusform>%n年</numerusform>
        </translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Renewing</source>
        <translation>续签原协议</translation>
    </message>
    <message>
        <source>Family doctor team</source>
        <translation>家庭医生团队</translation>
    </message>
    <message>
        <source>Responsible doctor</source>
        <translation>责任医生</translation>
    </message>
    <message>
        <source>Start date</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>Term</source>
        <translation>签约期限</translation>
    </message>
    <message>
        <source>End date</source>
        <translation>结束日期</translation>
    </message>
</context>
<context>
    <name>TerminateDialog</name>
    <message>
        <source>Terminate contract</source>
        <translation>解除签约</translation>
    </message>
    <message>
        <source>Not obtainable</source>
        <translation>无法取得</translation>
    </message>
    <message>
        <source>Terminate contract — %1</source>
        <translation>解约 — %1</translation>
    </message>
    <message>
        <source>Resident: %1  Contract: %2</source>
        <translation>居民：%1&#x3000;合同：%2</translation>
    </message>
    <message>
        <source>Reason *</source>
        <translation>原因 *</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Consent by</source>
        <translation>知情同意人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Terminate</source>
        <translation>解约</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Terminate the contract of %1? This cannot be undone.</source>
        <translation>确定解除 %1 的签约？解约后不能撤销。</translation>
    </message>
</context>
</TS>
