/** The roles of DESIGN.md, their Chinese names, and which of them are the three separated administrators. */
export const ROLES = [
  'admin',
  'security_admin',
  'auditor',
  'leader',
  'dept_handler',
  'street_staff',
  'community_worker',
  'grid_worker',
  'volunteer',
  'resident',
  'evaluator',
] as const;

export type Role = (typeof ROLES)[number];

/** Staff roles: everything but the resident. */
export const STAFF_ROLES = ROLES.filter((r) => r !== 'resident') as Exclude<Role, 'resident'>[];

/** 三员分立: these three must use TOTP, and only a security administrator may grant them. */
export const ADMIN_ROLES: readonly Role[] = ['admin', 'security_admin', 'auditor'];

/** Roles whose assignment names a department rather than an area. */
export const DEPARTMENT_ROLES: readonly Role[] = ['dept_handler'];

export const ROLE_NAMES: Record<Role, { 'zh-CN': string; 'zh-TW': string; en: string }> = {
  admin: { 'zh-CN': '系统管理员', 'zh-TW': '系統管理員', en: 'System administrator' },
  security_admin: { 'zh-CN': '安全管理员', 'zh-TW': '安全管理員', en: 'Security administrator' },
  auditor: { 'zh-CN': '审计管理员', 'zh-TW': '審計管理員', en: 'Auditor' },
  leader: { 'zh-CN': '领导/督查', 'zh-TW': '領導/督查', en: 'Leader / supervisor' },
  dept_handler: { 'zh-CN': '职能部门办理人', 'zh-TW': '職能部門辦理人', en: 'Department handler' },
  street_staff: { 'zh-CN': '街道工作人员', 'zh-TW': '街道工作人員', en: 'Street staff' },
  community_worker: { 'zh-CN': '社区工作者', 'zh-TW': '社區工作者', en: 'Community worker' },
  grid_worker: { 'zh-CN': '网格员', 'zh-TW': '網格員', en: 'Grid worker' },
  volunteer: { 'zh-CN': '志愿者', 'zh-TW': '志願者', en: 'Volunteer' },
  resident: { 'zh-CN': '居民', 'zh-TW': '居民', en: 'Resident' },
  evaluator: { 'zh-CN': '第三方评估', 'zh-TW': '第三方評估', en: 'Third-party evaluator' },
};
