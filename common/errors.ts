/** Stable error codes with their HTTP status and messages in every language Linli speaks. */
import type { Locale } from './locale';

type Messages = Record<Locale, string>;

export const ERRORS = {
  'validation.failed': {
    status: 400,
    'zh-CN': '提交的内容有误，请检查标出的字段',
    'zh-TW': '提交的內容有誤，請檢查標出的欄位',
    en: 'Some fields are invalid; see details',
  },
  'request.malformed': {
    status: 400,
    'zh-CN': '请求格式无法解析',
    'zh-TW': '請求格式無法解析',
    en: 'The request body could not be parsed',
  },
  'request.too_large': {
    status: 413,
    'zh-CN': '请求内容过大',
    'zh-TW': '請求內容過大',
    en: 'The request body is too large',
  },
  'request.unsupported_media_type': {
    status: 415,
    'zh-CN': '不支持的内容类型，请使用 JSON',
    'zh-TW': '不支援的內容類型，請使用 JSON',
    en: 'Unsupported content type; send JSON',
  },
  'auth.required': { status: 401, 'zh-CN': '请先登录', 'zh-TW': '請先登入', en: 'Please log in' },
  'auth.invalid_credentials': {
    status: 401,
    'zh-CN': '用户名或密码错误',
    'zh-TW': '使用者名稱或密碼錯誤',
    en: 'Wrong username or password',
  },
  'auth.totp_required': {
    status: 401,
    'zh-CN': '请输入动态验证码',
    'zh-TW': '請輸入動態驗證碼',
    en: 'Enter the code from your authenticator app',
  },
  'auth.totp_invalid': {
    status: 401,
    'zh-CN': '动态验证码错误或已使用',
    'zh-TW': '動態驗證碼錯誤或已使用',
    en: 'The authenticator code is wrong or was already used',
  },
  'auth.code_invalid': {
    status: 401,
    'zh-CN': '短信验证码错误或已过期',
    'zh-TW': '簡訊驗證碼錯誤或已過期',
    en: 'The SMS code is wrong or has expired',
  },
  'auth.locked': {
    status: 429,
    'zh-CN': '失败次数过多，账号已临时锁定，请稍后再试',
    'zh-TW': '失敗次數過多，帳號已暫時鎖定，請稍後再試',
    en: 'Too many failed attempts; try again later',
  },
  'auth.session_expired': {
    status: 401,
    'zh-CN': '登录已过期，请重新登录',
    'zh-TW': '登入已過期，請重新登入',
    en: 'Your session has expired; please log in again',
  },
  'auth.csrf': {
    status: 403,
    'zh-CN': '安全校验失败，请刷新页面后重试',
    'zh-TW': '安全校驗失敗，請重新整理頁面後重試',
    en: 'Security check failed (CSRF token); reload the page and try again',
  },
  'auth.password_change_required': {
    status: 403,
    'zh-CN': '请先修改密码',
    'zh-TW': '請先修改密碼',
    en: 'You must change your password first',
  },
  'auth.code_too_soon': {
    status: 429,
    'zh-CN': '验证码发送过于频繁，请稍后再试',
    'zh-TW': '驗證碼發送過於頻繁，請稍後再試',
    en: 'A code was sent recently; wait before asking again',
  },
  'auth.totp_setup_required': {
    status: 403,
    'zh-CN': '管理员账号须先绑定动态验证码（双因素认证）',
    'zh-TW': '管理員帳號須先綁定動態驗證碼（雙因素認證）',
    en: 'Administrator accounts must set up an authenticator app (two-factor authentication) first',
  },
  'auth.totp_already_enabled': {
    status: 409,
    'zh-CN': '动态验证码已启用',
    'zh-TW': '動態驗證碼已啟用',
    en: 'Two-factor authentication is already enabled',
  },
  'auth.totp_not_set_up': {
    status: 409,
    'zh-CN': '尚未设置动态验证码',
    'zh-TW': '尚未設定動態驗證碼',
    en: 'Two-factor authentication has not been set up',
  },
  forbidden: {
    status: 403,
    'zh-CN': '您没有权限执行此操作',
    'zh-TW': '您沒有權限執行此操作',
    en: 'You are not allowed to do this',
  },
  not_found: { status: 404, 'zh-CN': '未找到', 'zh-TW': '找不到', en: 'Not found' },
  'route.not_found': { status: 404, 'zh-CN': '接口不存在', 'zh-TW': '介面不存在', en: 'No such endpoint' },
  'method.not_allowed': {
    status: 405,
    'zh-CN': '不支持的请求方法',
    'zh-TW': '不支援的請求方法',
    en: 'Method not allowed',
  },
  conflict: {
    status: 409,
    'zh-CN': '数据已被他人修改或已存在，请刷新后重试',
    'zh-TW': '資料已被他人修改或已存在，請重新整理後重試',
    en: 'Conflict: the data changed or already exists',
  },
  'idempotency.in_flight': {
    status: 409,
    'zh-CN': '相同的请求正在处理中',
    'zh-TW': '相同的請求正在處理中',
    en: 'A request with this Idempotency-Key is still being processed',
  },
  'idempotency.mismatch': {
    status: 422,
    'zh-CN': 'Idempotency-Key 已用于不同的请求内容',
    'zh-TW': 'Idempotency-Key 已用於不同的請求內容',
    en: 'This Idempotency-Key was used with a different request',
  },
  rate_limited: {
    status: 429,
    'zh-CN': '请求过于频繁，请稍后再试',
    'zh-TW': '請求過於頻繁，請稍後再試',
    en: 'Too many requests; slow down',
  },
  'area.unknown': {
    status: 404,
    'zh-CN': '区划代码不存在',
    'zh-TW': '區劃代碼不存在',
    en: 'Unknown area code',
  },
  'area.not_community': {
    status: 400,
    'zh-CN': '网格只能建在社区（村）之下',
    'zh-TW': '網格只能建在社區（村）之下',
    en: 'Grids can only be created under a community or village',
  },
  'area.not_grid': {
    status: 400,
    'zh-CN': '该区域不是网格',
    'zh-TW': '該區域不是網格',
    en: 'This area is not a grid',
  },
  'area.grid_exists': {
    status: 409,
    'zh-CN': '该网格编号已存在',
    'zh-TW': '該網格編號已存在',
    en: 'A grid with this number already exists',
  },
  'area.grid_in_use': {
    status: 409,
    'zh-CN': '网格仍有人员分配，无法删除',
    'zh-TW': '網格仍有人員分配，無法刪除',
    en: 'The grid still has people assigned and cannot be deleted',
  },
  'area.grids_full': {
    status: 409,
    'zh-CN': '该社区的网格编号已用完',
    'zh-TW': '該社區的網格編號已用完',
    en: 'No grid numbers left in this community',
  },
  'area.grid_referenced': {
    status: 409,
    'zh-CN': '网格已被其他记录引用（如历史分配），无法删除，可改名',
    'zh-TW': '網格已被其他記錄引用（如歷史分配），無法刪除，可改名',
    en: 'Other records (such as past assignments) refer to this grid; it cannot be deleted, but it can be renamed',
  },
  'area.not_district': {
    status: 400,
    'zh-CN': '职能部门只能建在区县之下',
    'zh-TW': '職能部門只能建在區縣之下',
    en: 'Departments can only be created under a district',
  },
  'department.exists': {
    status: 409,
    'zh-CN': '该区县已有同名部门',
    'zh-TW': '該區縣已有同名部門',
    en: 'This district already has a department with this name',
  },
  'account.username_taken': {
    status: 409,
    'zh-CN': '用户名已被使用',
    'zh-TW': '使用者名稱已被使用',
    en: 'This username is taken',
  },
  'account.self_assignment': {
    status: 403,
    'zh-CN': '不能修改自己的角色分配',
    'zh-TW': '不能修改自己的角色分配',
    en: 'You cannot change your own role assignments',
  },
  'account.department_unknown': {
    status: 404,
    'zh-CN': '部门不存在',
    'zh-TW': '部門不存在',
    en: 'Unknown department',
  },
  'account.roles_separated': {
    status: 409,
    'zh-CN': '三员分立：系统管理员、安全管理员、审计管理员须由不同账号担任',
    'zh-TW': '三員分立：系統管理員、安全管理員、審計管理員須由不同帳號擔任',
    en: 'Separation of duties: administrator, security administrator and auditor must be different accounts',
  },
  'calendar.day_unknown': {
    status: 404,
    'zh-CN': '该日期没有节假日或调休记录',
    'zh-TW': '該日期沒有節假日或調休記錄',
    en: 'This date has no holiday or workday entry',
  },
  'category.unknown': {
    status: 404,
    'zh-CN': '事项分类不存在',
    'zh-TW': '事項分類不存在',
    en: 'Unknown category',
  },
  'category.code_taken': {
    status: 409,
    'zh-CN': '该分类编码已被使用',
    'zh-TW': '該分類編碼已被使用',
    en: 'This category code is already in use',
  },
  'routing_rule.unknown': {
    status: 404,
    'zh-CN': '分派规则不存在',
    'zh-TW': '分派規則不存在',
    en: 'Unknown routing rule',
  },
  'routing_rule.duplicate': {
    status: 409,
    'zh-CN': '同一分类、区域和优先级已有分派规则',
    'zh-TW': '同一分類、區域和優先級已有分派規則',
    en: 'A routing rule with this category, area and priority already exists',
  },
  'apikey.unknown': {
    status: 404,
    'zh-CN': 'API 密钥不存在',
    'zh-TW': 'API 金鑰不存在',
    en: 'Unknown API key',
  },
  'case.unknown': {
    status: 404,
    'zh-CN': '诉求事件不存在',
    'zh-TW': '訴求事件不存在',
    en: 'Unknown case',
  },
  'case.stale': {
    status: 409,
    'zh-CN': '该诉求已被他人处理，请刷新后重试',
    'zh-TW': '該訴求已被他人處理，請重新整理後重試',
    en: 'Someone else changed this case; reload it and try again',
  },
  'case.illegal_transition': {
    status: 409,
    'zh-CN': '该诉求当前状态下不能执行此操作',
    'zh-TW': '該訴求目前狀態下不能執行此操作',
    en: 'This action is not possible in the case’s current status',
  },
  'case.verifier_is_handler': {
    status: 409,
    'zh-CN': '核查须由处置人以外的人员进行',
    'zh-TW': '核查須由處置人以外的人員進行',
    en: 'The case must be verified by someone other than its handler',
  },
  'case.not_private': {
    status: 409,
    'zh-CN': '只有私事类诉求可以直接办结并给予指引',
    'zh-TW': '只有私事類訴求可以直接辦結並給予指引',
    en: 'Only private matters can be closed directly with guidance',
  },
  'case.top_level': {
    status: 409,
    'zh-CN': '该诉求已在区县层级，无法再上报',
    'zh-TW': '該訴求已在區縣層級，無法再上報',
    en: 'The case is already held at district level and cannot be escalated further',
  },
  'case.extension_pending': {
    status: 409,
    'zh-CN': '已有待审批的延期申请',
    'zh-TW': '已有待審批的延期申請',
    en: 'An extension request is already waiting for approval',
  },
  'case.no_pending_extension': {
    status: 409,
    'zh-CN': '没有待审批的延期申请',
    'zh-TW': '沒有待審批的延期申請',
    en: 'There is no extension request waiting for approval',
  },
  'case.merge_self': {
    status: 409,
    'zh-CN': '不能把诉求合并到它自身',
    'zh-TW': '不能把訴求合併到它自身',
    en: 'A case cannot be merged into itself',
  },
  'case.merge_target_closed': {
    status: 409,
    'zh-CN': '合并目标已办结或已被合并，只能合并到办理中的诉求',
    'zh-TW': '合併目標已辦結或已被合併，只能合併到辦理中的訴求',
    en: 'The target case has ended or was merged itself; merge into an open case',
  },
  'photo.invalid': {
    status: 400,
    'zh-CN': '文件不是有效的 JPEG、PNG 或 WebP 图片',
    'zh-TW': '檔案不是有效的 JPEG、PNG 或 WebP 圖片',
    en: 'The file is not a valid JPEG, PNG or WebP image',
  },
  'photo.limit': {
    status: 409,
    'zh-CN': '该诉求的照片已达上限',
    'zh-TW': '該訴求的照片已達上限',
    en: 'This case already has the most photos allowed',
  },
  'photo.case_ended': {
    status: 409,
    'zh-CN': '诉求已办结，不能再上传照片',
    'zh-TW': '訴求已辦結，不能再上傳照片',
    en: 'The case has ended; no more photos can be added',
  },
  'attachment.unknown': {
    status: 404,
    'zh-CN': '照片不存在',
    'zh-TW': '照片不存在',
    en: 'Unknown photo',
  },
  'track.not_found': {
    status: 404,
    'zh-CN': '未找到该诉求，请核对编号和手机号后四位',
    'zh-TW': '未找到該訴求，請核對編號和手機號碼後四位',
    en: 'No case found; check the number and the last four digits of the phone',
  },
  // ---- housing ----
  'estate.unknown': {
    status: 404,
    'zh-CN': '小区不存在',
    'zh-TW': '社區（小區）不存在',
    en: 'Unknown estate',
  },
  'building.unknown': {
    status: 404,
    'zh-CN': '楼栋不存在',
    'zh-TW': '樓棟不存在',
    en: 'Unknown building',
  },
  'unit.unknown': {
    status: 404,
    'zh-CN': '单元不存在',
    'zh-TW': '單元不存在',
    en: 'Unknown unit',
  },
  'dwelling.unknown': {
    status: 404,
    'zh-CN': '房屋不存在',
    'zh-TW': '房屋不存在',
    en: 'Unknown dwelling',
  },
  'housing.stale': {
    status: 409,
    'zh-CN': '该记录已被他人修改，请刷新后重试',
    'zh-TW': '該記錄已被他人修改，請重新整理後重試',
    en: 'Someone else changed this record; reload it and try again',
  },
  'housing.duplicate': {
    status: 409,
    'zh-CN': '已有同名（同号）的记录',
    'zh-TW': '已有同名（同號）的記錄',
    en: 'A record with this name or number already exists',
  },
  'housing.in_use': {
    status: 409,
    'zh-CN': '该小区还有在用的楼栋，请先注销或移出楼栋',
    'zh-TW': '該社區（小區）還有在用的樓棟，請先註銷或移出樓棟',
    en: 'The estate still has buildings in use; retire or move them first',
  },
  'housing.retired': {
    status: 409,
    'zh-CN': '该记录已注销',
    'zh-TW': '該記錄已註銷',
    en: 'This record has been retired',
  },
  // ---- people ----
  'resident.unknown': {
    status: 404,
    'zh-CN': '居民不存在',
    'zh-TW': '居民不存在',
    en: 'Unknown resident',
  },
  'household.unknown': {
    status: 404,
    'zh-CN': '户不存在',
    'zh-TW': '戶不存在',
    en: 'Unknown household',
  },
  'resident.stale': {
    status: 409,
    'zh-CN': '该居民信息已被他人修改，请刷新后重试',
    'zh-TW': '該居民資料已被他人修改，請重新整理後重試',
    en: "Someone else changed this resident's record; reload it and try again",
  },
  'resident.duplicate': {
    status: 409,
    'zh-CN': '本区县已登记该身份证号码的居民',
    'zh-TW': '本區縣已登記該身分證號碼的居民',
    en: 'A resident with this ID number is already registered in this district',
  },
  'resident.not_alive': {
    status: 409,
    'zh-CN': '该居民已去世或已迁出，不能办理此项',
    'zh-TW': '該居民已去世或已遷出，不能辦理此項',
    en: 'The resident has died or moved away; this cannot be done',
  },
  'household.number_taken': {
    status: 409,
    'zh-CN': '本社区已有该户号',
    'zh-TW': '本社區已有該戶號',
    en: 'This household number is already used in the community',
  },
  'household.member_elsewhere': {
    status: 409,
    'zh-CN': '该居民已属于另一户，请先办理离户',
    'zh-TW': '該居民已屬於另一戶，請先辦理離戶',
    en: 'The resident belongs to another household; record leaving it first',
  },
  'household.not_member': {
    status: 409,
    'zh-CN': '该居民不是本户的现有成员',
    'zh-TW': '該居民不是本戶的現有成員',
    en: 'The resident is not a current member of this household',
  },
  'household.has_head': {
    status: 409,
    'zh-CN': '本户已有户主，请先变更原户主的关系',
    'zh-TW': '本戶已有戶主，請先變更原戶主的關係',
    en: "The household already has a head; change the current head's relation first",
  },
  'household.not_housed': {
    status: 409,
    'zh-CN': '该户当前没有居住的房屋',
    'zh-TW': '該戶目前沒有居住的房屋',
    en: 'The household lives in no dwelling now',
  },
  'household.already_housed': {
    status: 409,
    'zh-CN': '该户已住在一处房屋，请先办理迁出',
    'zh-TW': '該戶已住在一處房屋，請先辦理遷出',
    en: 'The household already lives in a dwelling; record moving out first',
  },
  // ---- visits ----
  'visit.unknown': {
    status: 404,
    'zh-CN': '走访记录不存在',
    'zh-TW': '走訪記錄不存在',
    en: 'Unknown visit',
  },
  'visit.corrected': {
    status: 409,
    'zh-CN': '该走访记录已被更正，请在最新的记录上操作',
    'zh-TW': '該走訪記錄已被更正，請在最新的記錄上操作',
    en: 'This visit has been corrected; work on the latest record',
  },
  'visit.need_unknown': {
    status: 404,
    'zh-CN': '该走访记录没有这一项需求',
    'zh-TW': '該走訪記錄沒有這一項需求',
    en: 'The visit has no such need',
  },
  'visit.need_has_case': {
    status: 409,
    'zh-CN': '该需求已转为诉求',
    'zh-TW': '該需求已轉為訴求',
    en: 'A case has already been made from this need',
  },
  'visit.photo_limit': {
    status: 409,
    'zh-CN': '该走访记录的照片已达上限',
    'zh-TW': '該走訪記錄的照片已達上限',
    en: 'This visit already has the most photos allowed',
  },
  'visit_rule.unknown': {
    status: 404,
    'zh-CN': '走访规则不存在或已停用',
    'zh-TW': '走訪規則不存在或已停用',
    en: 'Unknown or retired visit rule',
  },
  'visit_rule.duplicate': {
    status: 409,
    'zh-CN': '该区域（及人群）已有一条在用的走访规则，请修改它',
    'zh-TW': '該區域（及人群）已有一條在用的走訪規則，請修改它',
    en: 'A visit rule for this area (and group) is already in force; change that one',
  },
  'visit_rule.stale': {
    status: 409,
    'zh-CN': '该走访规则已被他人修改，请刷新后重试',
    'zh-TW': '該走訪規則已被他人修改，請重新整理後重試',
    en: 'Someone else changed this visit rule; reload it and try again',
  },
  // ---- tags ----
  'tag.unknown': {
    status: 404,
    'zh-CN': '标签不存在',
    'zh-TW': '標籤不存在',
    en: 'Unknown tag',
  },
  'tag.code_taken': {
    status: 409,
    'zh-CN': '该标签编码已被使用',
    'zh-TW': '該標籤編碼已被使用',
    en: 'This tag code is already in use',
  },
  'resident_tag.unknown': {
    status: 404,
    'zh-CN': '该居民没有这个标签',
    'zh-TW': '該居民沒有這個標籤',
    en: 'The resident has no such tag',
  },
  'resident_tag.duplicate': {
    status: 409,
    'zh-CN': '该居民已有这个标签',
    'zh-TW': '該居民已有這個標籤',
    en: 'The resident already has this tag',
  },
  'resident_tag.ended': {
    status: 409,
    'zh-CN': '该标签已结束',
    'zh-TW': '該標籤已結束',
    en: 'This tag has already ended',
  },
  // ---- people import/export ----
  'import.malformed': {
    status: 400,
    'zh-CN': '文件不是可读取的表格（XLSX 或 CSV），请检查文件',
    'zh-TW': '檔案不是可讀取的表格（XLSX 或 CSV），請檢查檔案',
    en: 'The file is not a readable spreadsheet (XLSX or CSV)',
  },
  'import.headers': {
    status: 400,
    'zh-CN': '表头不符合模板：缺少必填列或有重复列，请使用导入模板',
    'zh-TW': '表頭不符合範本：缺少必填欄或有重複欄，請使用匯入範本',
    en: 'The header row does not match the template: a required column is missing or repeated',
  },
  'import.unknown_report': {
    status: 404,
    'zh-CN': '导入报告不存在',
    'zh-TW': '匯入報告不存在',
    en: 'Unknown import report',
  },
  internal: {
    status: 500,
    'zh-CN': '服务器内部错误，请稍后再试',
    'zh-TW': '伺服器內部錯誤，請稍後再試',
    en: 'Internal server error; please try again later',
  },
  unavailable: { status: 503, 'zh-CN': '服务暂不可用', 'zh-TW': '服務暫不可用', en: 'Service unavailable' },
} as const satisfies Record<string, Messages & { status: number }>;

export type ErrorCode = keyof typeof ERRORS;

/** Messages for the rule a field broke, with {field} and {limit} placeholders. */
export const RULE_MESSAGES: Record<string, Messages> = {
  required: { 'zh-CN': '{field} 为必填项', 'zh-TW': '{field} 為必填項', en: '{field} is required' },
  type: {
    'zh-CN': '{field} 类型不正确，应为 {limit}',
    'zh-TW': '{field} 類型不正確，應為 {limit}',
    en: '{field} must be of type {limit}',
  },
  minLength: {
    'zh-CN': '{field} 至少 {limit} 个字符',
    'zh-TW': '{field} 至少 {limit} 個字元',
    en: '{field} must be at least {limit} characters',
  },
  maxLength: {
    'zh-CN': '{field} 最多 {limit} 个字符',
    'zh-TW': '{field} 最多 {limit} 個字元',
    en: '{field} must be at most {limit} characters',
  },
  pattern: {
    'zh-CN': '{field} 格式不正确',
    'zh-TW': '{field} 格式不正確',
    en: '{field} has the wrong format',
  },
  format: {
    'zh-CN': '{field} 格式不正确（应为 {limit}）',
    'zh-TW': '{field} 格式不正確（應為 {limit}）',
    en: '{field} must be a valid {limit}',
  },
  minimum: {
    'zh-CN': '{field} 不能小于 {limit}',
    'zh-TW': '{field} 不能小於 {limit}',
    en: '{field} must be at least {limit}',
  },
  maximum: {
    'zh-CN': '{field} 不能大于 {limit}',
    'zh-TW': '{field} 不能大於 {limit}',
    en: '{field} must be at most {limit}',
  },
  enum: {
    'zh-CN': '{field} 不是允许的取值',
    'zh-TW': '{field} 不是允許的取值',
    en: '{field} is not one of the allowed values',
  },
  const: {
    'zh-CN': '{field} 不是允许的取值',
    'zh-TW': '{field} 不是允許的取值',
    en: '{field} is not the allowed value',
  },
  additionalProperties: {
    'zh-CN': '{field} 是未知字段',
    'zh-TW': '{field} 是未知欄位',
    en: '{field} is not a known field',
  },
  minItems: {
    'zh-CN': '{field} 至少 {limit} 项',
    'zh-TW': '{field} 至少 {limit} 項',
    en: '{field} needs at least {limit} items',
  },
  maxItems: {
    'zh-CN': '{field} 最多 {limit} 项',
    'zh-TW': '{field} 最多 {limit} 項',
    en: '{field} may have at most {limit} items',
  },
  anyOf: {
    'zh-CN': '{field} 不符合任何允许的形式',
    'zh-TW': '{field} 不符合任何允許的形式',
    en: '{field} does not match any allowed form',
  },
  areaCode: {
    'zh-CN': '{field} 不是有效的区划代码（{limit}）',
    'zh-TW': '{field} 不是有效的區劃代碼（{limit}）',
    en: '{field} is not a valid area code ({limit})',
  },
  ring: {
    'zh-CN': '{field} 的每个环须首尾闭合（首点与末点相同）',
    'zh-TW': '{field} 的每個環須首尾閉合（首點與末點相同）',
    en: 'Each ring of {field} must be closed (its first and last points equal)',
  },
  'password.length': {
    'zh-CN': '密码至少 {limit} 位',
    'zh-TW': '密碼至少 {limit} 位',
    en: 'The password must be at least {limit} characters',
  },
  'password.common': {
    'zh-CN': '密码过于常见，容易被猜到',
    'zh-TW': '密碼過於常見，容易被猜到',
    en: 'This password is too common and easy to guess',
  },
  'password.classes': {
    'zh-CN': '密码须包含大写字母、小写字母、数字和符号中的至少 {limit} 类',
    'zh-TW': '密碼須包含大寫字母、小寫字母、數字和符號中的至少 {limit} 類',
    en: 'The password must mix at least {limit} of: upper case, lower case, digits, symbols',
  },
  'password.reused': {
    'zh-CN': '不能使用最近用过的密码',
    'zh-TW': '不能使用最近用過的密碼',
    en: 'You cannot reuse a recent password',
  },
  'password.username': {
    'zh-CN': '密码不能包含用户名',
    'zh-TW': '密碼不能包含使用者名稱',
    en: 'The password must not contain the username',
  },
  'password.wrong': {
    'zh-CN': '当前密码不正确',
    'zh-TW': '目前密碼不正確',
    en: 'The current password is wrong',
  },
  'totp.invalid': {
    'zh-CN': '动态验证码错误或已使用',
    'zh-TW': '動態驗證碼錯誤或已使用',
    en: 'The authenticator code is wrong or was already used',
  },
  characters: {
    'zh-CN': '{field} 含有不允许的字符',
    'zh-TW': '{field} 含有不允許的字元',
    en: '{field} contains characters that are not allowed',
  },
  invalid: { 'zh-CN': '{field} 无效', 'zh-TW': '{field} 無效', en: '{field} is invalid' },
  level: {
    'zh-CN': '{field} 的区划层级不适合该角色（应为 {limit}）',
    'zh-TW': '{field} 的區劃層級不適合該角色（應為 {limit}）',
    en: '{field} is at the wrong area level for this role (expected {limit})',
  },
  notApplicable: {
    'zh-CN': '{field} 不适用于该角色',
    'zh-TW': '{field} 不適用於該角色',
    en: '{field} does not apply to this role',
  },
  unique: {
    'zh-CN': '{field} 重复',
    'zh-TW': '{field} 重複',
    en: '{field} is a duplicate',
  },
  exists: {
    'zh-CN': '{field} 不存在',
    'zh-TW': '{field} 不存在',
    en: '{field} does not exist',
  },
  cycle: {
    'zh-CN': '{field} 不能是该分类自身或其下级',
    'zh-TW': '{field} 不能是該分類自身或其下級',
    en: '{field} cannot be the category itself or one below it',
  },
  urgentOnly: {
    'zh-CN': '{field} 只适用于紧急分类',
    'zh-TW': '{field} 只適用於緊急分類',
    en: '{field} only applies to urgent categories',
  },
  notForUrgent: {
    'zh-CN': '{field} 不适用于紧急分类（紧急分类按小时计时）',
    'zh-TW': '{field} 不適用於緊急分類（緊急分類按小時計時）',
    en: '{field} does not apply to urgent categories (they count hours)',
  },
  exclusive: {
    'zh-CN': '{field} 与 {limit} 只能填写一项',
    'zh-TW': '{field} 與 {limit} 只能填寫一項',
    en: 'Give either {field} or {limit}, not both',
  },
  oneOfRequired: {
    'zh-CN': '{field} 与 {limit} 须填写一项',
    'zh-TW': '{field} 與 {limit} 須填寫一項',
    en: 'Give {field} or {limit}',
  },
  departmentArea: {
    'zh-CN': '{field} 所属区县与规则区域不在同一条区划链上',
    'zh-TW': '{field} 所屬區縣與規則區域不在同一條區劃鏈上',
    en: "{field}'s district is not on the rule area's chain (neither above nor below it)",
  },
  areaLevel: {
    'zh-CN': '{field} 的区划层级不适用（应为 {limit}）',
    'zh-TW': '{field} 的區劃層級不適用（應為 {limit}）',
    en: '{field} is at the wrong area level (expected {limit})',
  },
  inactive: {
    'zh-CN': '{field} 已停用',
    'zh-TW': '{field} 已停用',
    en: '{field} is no longer in use',
  },
  stale: {
    'zh-CN': '{field} 已过期，当前版本为 {limit}',
    'zh-TW': '{field} 已過期，目前版本為 {limit}',
    en: '{field} is out of date; the current version is {limit}',
  },
  transition: {
    'zh-CN': '{field} 不允许（{limit}）',
    'zh-TW': '{field} 不允許（{limit}）',
    en: '{field} is not allowed ({limit})',
  },
  outsideGrids: {
    'zh-CN': '{field}：该位置不在任何网格范围内',
    'zh-TW': '{field}：該位置不在任何網格範圍內',
    en: '{field}: the location lies in no grid',
  },
  outsideArea: {
    'zh-CN': '{field}：该位置不在所选区域内',
    'zh-TW': '{field}：該位置不在所選區域內',
    en: '{field}: the location lies outside the chosen area',
  },
  mediaType: {
    'zh-CN': '{field} 须为 {limit}',
    'zh-TW': '{field} 須為 {limit}',
    en: '{field} must be one of {limit}',
  },
  image: {
    'zh-CN': '{field} 不是有效的图片（{limit}）',
    'zh-TW': '{field} 不是有效的圖片（{limit}）',
    en: '{field} is not a valid image ({limit})',
  },
  ownUnattachedPhoto: {
    'zh-CN': '{field} 须为您本人上传到该诉求且尚未关联步骤的照片',
    'zh-TW': '{field} 須為您本人上傳到該訴求且尚未關聯步驟的照片',
    en: '{field} must name photos you uploaded to this case that are not yet attached to a step',
  },
  outOfScope: {
    'zh-CN': '{field} 不在您的管辖范围内',
    'zh-TW': '{field} 不在您的管轄範圍內',
    en: '{field} lies outside the areas you work in',
  },
  separation: {
    'zh-CN': '{field} 违反三员分立',
    'zh-TW': '{field} 違反三員分立',
    en: '{field} breaks the separation of the three administrator roles',
  },
  // ---- housing ----
  selfIntersection: {
    'zh-CN': '{field} 的边界自相交（{limit}），请检查顶点顺序',
    'zh-TW': '{field} 的邊界自相交（{limit}），請檢查頂點順序',
    en: '{field} crosses itself ({limit}); check the order of its vertices',
  },
  singlePolygon: {
    'zh-CN': '{field} 须为一个多边形（网格是连续的一片），现有 {limit} 块',
    'zh-TW': '{field} 須為一個多邊形（網格是連續的一片），現有 {limit} 塊',
    en: '{field} must be one polygon (a grid is one piece); it has {limit} parts',
  },
  geojsonType: {
    'zh-CN': '{field} 须为 GeoJSON {limit}',
    'zh-TW': '{field} 須為 GeoJSON {limit}',
    en: '{field} must be GeoJSON {limit}',
  },
  maxBytes: {
    'zh-CN': '{field} 过大，最多 {limit} 字节',
    'zh-TW': '{field} 過大，最多 {limit} 位元組',
    en: '{field} is too large; at most {limit} bytes',
  },
  degenerate: {
    'zh-CN': '{field} 的面积为零（顶点重合或共线）',
    'zh-TW': '{field} 的面積為零（頂點重合或共線）',
    en: '{field} has no area (its points coincide or lie on one line)',
  },
  'calendar.workdayOnWeekday': {
    'zh-CN': '{field}：调休上班日只能是周六或周日，周一至周五本来就是工作日',
    'zh-TW': '{field}：調休上班日只能是週六或週日，週一至週五本來就是工作日',
    en: '{field}: only a Saturday or Sunday can be made a workday (调休); Monday to Friday are working days already',
  },
  'calendar.year': {
    'zh-CN': '{field} 的年份须在 {limit} 之间',
    'zh-TW': '{field} 的年份須在 {limit} 之間',
    en: 'The year of {field} must be within {limit}',
  },
  // ---- people ----
  checkDigit: {
    'zh-CN': '{field} 的校验码不正确，请核对号码',
    'zh-TW': '{field} 的檢查碼不正確，請核對號碼',
    en: '{field} has a wrong check digit; check the number',
  },
  birthDate: {
    'zh-CN': '{field} 中的出生日期不存在或不在 1900 年至今之间',
    'zh-TW': '{field} 中的出生日期不存在或不在 1900 年至今之間',
    en: '{field} holds a birth date that does not exist or lies outside 1900 to today',
  },
  region: {
    'zh-CN': '{field} 的地区码不是有效的省级代码',
    'zh-TW': '{field} 的地區碼不是有效的省級代碼',
    en: '{field} starts with no valid province code',
  },
  length: {
    'zh-CN': '{field} 位数不正确（应为 {limit}）',
    'zh-TW': '{field} 位數不正確（應為 {limit}）',
    en: '{field} has the wrong number of digits (expected {limit})',
  },
  prefix: {
    'zh-CN': '{field} 的号段或区号不正确',
    'zh-TW': '{field} 的號段或區號不正確',
    en: '{field} starts with a prefix no number has',
  },
  duplicate: {
    'zh-CN': '{field} 已在本区县登记',
    'zh-TW': '{field} 已在本區縣登記',
    en: '{field} is already registered in this district',
  },
  idMismatch: {
    'zh-CN': '{field} 与身份证号码不符',
    'zh-TW': '{field} 與身分證號碼不符',
    en: '{field} does not match the ID number',
  },
  future: {
    'zh-CN': '{field} 不能晚于今天',
    'zh-TW': '{field} 不能晚於今天',
    en: '{field} cannot be later than today',
  },
  householdMember: {
    'zh-CN': '{field} 不是该户当日的成员',
    'zh-TW': '{field} 不是該戶當日的成員',
    en: '{field} was not a member of the household on that day',
  },
  dateOrder: {
    'zh-CN': '{field} 不能早于 {limit}',
    'zh-TW': '{field} 不能早於 {limit}',
    en: '{field} cannot be earlier than {limit}',
  },
  // ---- people import/export ----
  'spreadsheet.notZip': {
    'zh-CN': '文件不是 XLSX（ZIP）格式',
    'zh-TW': '檔案不是 XLSX（ZIP）格式',
    en: 'The file is not an XLSX (ZIP) archive',
  },
  'spreadsheet.corrupt': {
    'zh-CN': 'XLSX 文件已损坏（{limit}）',
    'zh-TW': 'XLSX 檔案已損壞（{limit}）',
    en: 'The XLSX file is corrupt ({limit})',
  },
  'spreadsheet.zip64': {
    'zh-CN': '不支持 ZIP64 格式',
    'zh-TW': '不支援 ZIP64 格式',
    en: 'ZIP64 is not supported',
  },
  'spreadsheet.encrypted': {
    'zh-CN': '文件已加密，请去掉密码后再导入',
    'zh-TW': '檔案已加密，請移除密碼後再匯入',
    en: 'The file is encrypted; remove the password first',
  },
  'spreadsheet.method': {
    'zh-CN': '不支持的压缩方式',
    'zh-TW': '不支援的壓縮方式',
    en: 'Unsupported compression method',
  },
  'spreadsheet.tooLarge': {
    'zh-CN': '解压后内容过大（可能是压缩炸弹）：{limit}',
    'zh-TW': '解壓後內容過大（可能是壓縮炸彈）：{limit}',
    en: 'The content inflates beyond the limit (a zip bomb?): {limit}',
  },
  'spreadsheet.noSheet': {
    'zh-CN': '文件中没有工作表',
    'zh-TW': '檔案中沒有工作表',
    en: 'The file holds no worksheet',
  },
  'spreadsheet.xml': {
    'zh-CN': '工作表 XML 无法解析：{limit}',
    'zh-TW': '工作表 XML 無法解析：{limit}',
    en: 'The worksheet XML is malformed: {limit}',
  },
  'spreadsheet.csv': {
    'zh-CN': 'CSV 无法解析：{limit}',
    'zh-TW': 'CSV 無法解析：{limit}',
    en: 'The CSV cannot be parsed: {limit}',
  },
  'spreadsheet.empty': {
    'zh-CN': '文件是空的（没有表头行）',
    'zh-TW': '檔案是空的（沒有表頭列）',
    en: 'The file is empty (no header row)',
  },
};

/** Fills a rule message for a field, falling back to a generic one. */
export function ruleMessage(locale: Locale, rule: string, field: string, limit?: string | number): string {
  const template = (RULE_MESSAGES[rule] ?? RULE_MESSAGES.invalid!)[locale];
  return template
    .replaceAll('{field}', field)
    .replaceAll('{limit}', limit === undefined ? '' : String(limit));
}
