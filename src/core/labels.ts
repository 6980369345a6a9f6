// The Chinese names people read in tables for the codes zq stores (GLOSSARY.md); JSON keeps the codes.
// A code without a name here (a receivable type a group configured itself) is shown as it is.

const CONTRACT_STATUS: Record<string, string> = { active: '正常', settled: '已结清', written_off: '坏账核销' };

const DOCUMENT_STATUS: Record<string, string> = {
  draft: '草稿',
  registered: '已登记',
  submitted: '审批中',
  approved: '已审批',
  rejected: '已驳回',
  withdrawn: '已撤回',
  confirmed: '已确认',
  reversed: '已冲正',
  completed: '已完成',
};

const RECEIVABLE_TYPE: Record<string, string> = {
  principal: '货款',
  interest: '利息',
  fee: '手续费',
  down_payment: '首付',
  deposit: '保证金',
  on_behalf_payment: '代付',
  advance: '代垫',
  penalty: '罚息',
};

const POSTING_KIND: Record<string, string> = {
  allocation: '核销',
  penalty_allocation: '核销罚息',
  opening_paid: '期初已还',
  opening_penalty: '期初罚息',
  opening_penalty_paid: '期初已还罚息',
  credit: '预收',
  credit_application: '预收冲抵',
  refund: '退款',
  waiver: '减免',
  write_off: '坏账核销',
  recovery: '坏账收回',
};

const named = (names: Record<string, string>) => (code: string | null | undefined) =>
  code === null || code === undefined ? '' : (names[code] ?? code);

export const contractStatusName = named(CONTRACT_STATUS);
export const documentStatusName = named(DOCUMENT_STATUS);
export const receivableTypeName = named(RECEIVABLE_TYPE);
export const postingKindName = named(POSTING_KIND);

// The archive (档案管理): what a file is and what it is attached to.
const ATTACHMENT_KIND: Record<string, string> = {
  contract_scan: '合同扫描件',
  id_copy: '身份证件',
  photo: '照片',
  towing_receipt: '拖车单据',
  contact_record: '催收凭证',
  other: '其他',
};
const OWNER_KIND: Record<string, string> = {
  contract: '合同',
  customer: '客户',
  machine: '设备',
  document: '单据',
  contact_log: '催收记录',
};
export const attachmentKindName = named(ATTACHMENT_KIND);
export const ownerKindName = named(OWNER_KIND);
// Collections (issue 21): contact kinds and results, suggested actions, machine statuses.
const CONTACT_KIND: Record<string, string> = { call: '电话', visit: '上门', sms: '短信', letter: '信函' };
const CONTACT_RESULT: Record<string, string> = {
  promised: '承诺还款',
  paid: '已还款',
  refused: '拒绝还款',
  unreachable: '联系不上',
  disputed: '有争议',
};
const SUGGESTED_ACTION: Record<string, string> = { lock: '建议锁机', repossession: '建议拖机' };
/** A financed machine's status (src/machines/status.ts MACHINE_STATUSES): the one place its Chinese name is kept. */
export const MACHINE_STATUS_NAMES = {
  normal: '正常',
  lock_pending: '待锁机',
  locked: '已锁机',
  repossession_pending: '待拖机',
  repossessed: '已拖回',
  resold: '已转售',
  released: '已解除',
} as const;

export const contactKindName = named(CONTACT_KIND);
export const contactResultName = named(CONTACT_RESULT);
export const suggestedActionName = named(SUGGESTED_ACTION);
export const machineStatusName = named(MACHINE_STATUS_NAMES);
