/** The portal's labels in Chinese and English; the switch keeps the choice in localStorage. */
export type Language = 'zh' | 'en';

export const LABELS = {
  title: { zh: '居民门户', en: 'Resident portal' },
  language: { zh: 'English', en: '中文' },
  languageSwitch: { zh: 'Switch to English', en: '切换到中文' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  login: { zh: '用户名', en: 'Login' },
  password: { zh: '密码', en: 'Password' },
  passwordNote: {
    zh: '密码也用于在本设备上加密您的身份密钥（scrypt），密钥从不离开本设备。',
    en: 'Your password also encrypts your identity key on this device (scrypt); the key never leaves it.',
  },
  signedInAs: { zh: '已登录：', en: 'Signed in as ' },
  joinCensus: { zh: '加入业主名册', en: 'Join the census' },
  inviteCode: { zh: '邀请码', en: 'Invite code' },
  join: { zh: '加入', en: 'Join' },
  joined: {
    zh: '已加入名册，身份密钥已加密保存在本设备。',
    en: 'Joined; your identity key is stored encrypted on this device.',
  },
  identityReady: { zh: '本设备有您的加密身份。', en: 'This device holds your encrypted identity.' },
  noIdentity: { zh: '本设备还没有身份：请用邀请码加入。', en: 'No identity on this device yet: join with an invite.' },
  proposals: { zh: '议题', en: 'Proposals' },
  noProposals: { zh: '暂无议题。', en: 'No proposals.' },
  open: { zh: '投票中', en: 'Open' },
  vote: { zh: '匿名投票', en: 'Vote anonymously' },
  changeVote: { zh: '更改投票', en: 'Change my vote' },
  yourChoice: { zh: '您的选择', en: 'Your choice' },
  proving: { zh: '正在本设备上生成证明…', en: 'Proving on this device…' },
  provingStep: { zh: '步骤', en: 'Step' },
  voted: { zh: '已投票：', en: 'Voted: ' },
  receipt: { zh: '投票回执', en: 'Vote receipt' },
  checkReceipt: { zh: '核对回执', en: 'Check receipt' },
  receiptIncluded: { zh: '已收录于结果检查点，且计入结果。', en: 'Included in the result’s checkpoint, and counted.' },
  receiptIncludedNotCounted: { zh: '已收录，但已被之后的投票取代。', en: 'Included, but replaced by a later vote.' },
  receiptPending: {
    zh: '尚未收录：投票结束后结果会引用检查点。',
    en: 'Not yet included: the result cites a checkpoint after the close.',
  },
  tally: { zh: '实时计票', en: 'Live tally' },
  byArea: { zh: '按专有部分面积', en: 'By area' },
  byHeads: { zh: '按业主人数', en: 'By heads' },
  quorumLine: { zh: '参与门槛', en: 'Quorum' },
  passLine: { zh: '通过线', en: 'Pass line' },
  participating: { zh: '已参与', en: 'Participating' },
  refresh: { zh: '刷新', en: 'Refresh' },
  failed: { zh: '失败：', en: 'Failed: ' },
  back: { zh: '返回', en: 'Back' },
  joinOther: {
    zh: '另一名册（业主或住户）的邀请码也可在此使用。',
    en: 'An invite to the other census (owners or households) works here too.',
  },
  rateServices: { zh: '服务评分', en: 'Rate services' },
  rate: { zh: '匿名评分', en: 'Rate anonymously' },
  comment: { zh: '评语（可选）', en: 'Comment (optional)' },
  rated: { zh: '已评分：', en: 'Rated: ' },
  navigation: { zh: '页面', en: 'Pages' },
  home: { zh: '议题与评分', en: 'Votes and ratings' },
  household: { zh: '我的住户', en: 'My household' },
  noHousehold: { zh: '此账户没有关联的住户。', en: 'This account belongs to no household.' },
  invoices: { zh: '账单', en: 'Invoices' },
  noInvoices: { zh: '暂无账单。', en: 'No invoices.' },
  period: { zh: '期间', en: 'Period' },
  dueDate: { zh: '到期日', en: 'Due' },
  total: { zh: '应缴', en: 'Total' },
  paid: { zh: '已缴清', en: 'Paid' },
  openAmount: { zh: '未缴', en: 'Open' },
  status: { zh: '状态', en: 'Status' },
  partlyPaid: { zh: '部分缴纳', en: 'Partly paid' },
  unpaid: { zh: '未缴纳', en: 'Unpaid' },
  payments: { zh: '缴费记录', en: 'Payments' },
  noPayments: { zh: '暂无缴费。', en: 'No payments.' },
  refunded: { zh: '已退款', en: 'refunded' },
  showReceipt: { zh: '查看收据', en: 'Show receipt' },
  paymentReceipt: { zh: '收据', en: 'Receipt' },
  invoice: { zh: '账单号', en: 'Invoice' },
  amount: { zh: '金额', en: 'Amount' },
  toCredit: { zh: '转为预存', en: 'Kept as credit' },
  accessLog: { zh: '谁查看了我家的资料，为什么', en: "Who read my household's data, and why" },
  accessLogNote: {
    zh: '物业每次解密本户的个人资料都会记录时间、账户和用途。',
    en: 'Every time staff decrypt this household’s personal data, the time, account and purpose are recorded.',
  },
  noAccesses: { zh: '尚无人查看。', en: 'Nobody has read it.' },
  when: { zh: '时间', en: 'When' },
  who: { zh: '账户', en: 'Account' },
  why: { zh: '用途', en: 'Purpose' },
  activities: { zh: '社区活动', en: 'Activities' },
  noActivities: { zh: '暂无活动。', en: 'No activities.' },
  fee: { zh: '费用', en: 'Fee' },
  signUp: { zh: '为本户报名', en: 'Sign my household up' },
  signedUp: { zh: '已报名。', en: 'Signed up.' },
  rateActivity: { zh: '为活动评分', en: 'Rate this activity' },
  rateNamed: { zh: '提交评分', en: 'Rate' },
  ratingTrends: { zh: '服务评分趋势', en: 'Service rating trends' },
  meanScore: { zh: '平均分', en: 'Mean score' },
  noRatingsYet: { zh: '近期尚无评分。', en: 'no ratings in recent periods.' },
  feeProof: { zh: '缴费证明', en: 'Fee proof' },
  feeProofIntro: {
    zh: '核验方（如停车管理处）给您一个挑战码。本设备证明您家已缴清该期费用，而不透露是哪一户。',
    en: 'A verifier (say, the parking office) gives you a challenge. This device proves your household paid the period in full without saying which household it is.',
  },
  challenge: { zh: '挑战码（JSON）', en: 'Challenge (JSON)' },
  proveFees: { zh: '在本设备上证明', en: 'Prove on this device' },
  feeProofOut: { zh: '交给核验方的证明', en: 'The proof to give the verifier' },
  feeProofReady: { zh: '证明已生成。', en: 'Proof ready.' },
  noHouseholdIdentity: {
    zh: '本设备没有住户名册身份：请先用住户邀请码加入。',
    en: 'No households-census identity on this device: join with a household invite first.',
  },
  managerPage: { zh: '物业与业委会', en: 'Managers and committee' },
  collectionRate: { zh: '各期收缴率', en: 'Collection rate per period' },
  arrearsAgeing: { zh: '欠费账龄', en: 'Arrears ageing' },
  households: { zh: '户', en: 'households' },
  days: { zh: '天', en: 'days' },
  cashFlow: { zh: '运营账户每月现金流', en: 'Operating account cash flow per month' },
  inflow: { zh: '流入', en: 'In' },
  outflow: { zh: '流出', en: 'Out' },
  waitingApprovals: { zh: '待您审批的支出', en: 'Spends waiting for approval' },
  noApprovals: { zh: '没有待审批的支出。', en: 'No spends waiting.' },
  approve: { zh: '批准', en: 'Approve' },
  reject: { zh: '驳回', en: 'Reject' },
  spendStatus: { zh: '状态', en: 'Status' },
  proposedOn: { zh: '提出于', en: 'Proposed' },
  expiresOn: { zh: '截止', en: 'expires' },
  approvals: { zh: '个批准', en: 'approvals' },
  regulatorPage: { zh: '监管：核验合规包', en: 'Regulator: check a compliance bundle' },
  regulatorIntro: {
    zh: '选择下载的合规包文件。核验在本浏览器内离线完成，与 npm run compliance:verify 的检查相同。',
    en: 'Choose a downloaded compliance bundle. It is checked in this browser, offline, with the same checks as npm run compliance:verify.',
  },
  bundleFile: { zh: '合规包文件', en: 'Bundle file' },
  logKey: { zh: '日志公钥（可选，来自可信渠道）', en: 'Log key (optional, from a source you trust)' },
  checking: { zh: '正在核验…', en: 'Checking…' },
  bundleOk: { zh: '通过：', en: 'OK:' },
  bundleFailed: { zh: '未通过：', en: 'FAILED:' },
  keyFromBundle: {
    zh: '注意：日志公钥取自合规包本身，请与可信来源核对：',
    en: 'Note: the log key was taken from the bundle; compare it with one you trust:',
  },
} as const satisfies Record<string, Record<Language, string>>;

export type LabelKey = keyof typeof LABELS;

const LANGUAGE_KEY = 'courtyard.language';

export function savedLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(LANGUAGE_KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return globalThis.navigator?.language?.startsWith('zh') ? 'zh' : 'en';
}

export function saveLanguage(language: Language): void {
  globalThis.localStorage?.setItem(LANGUAGE_KEY, language);
}

export function label(language: Language, key: LabelKey): string {
  return LABELS[key][language];
}

/** Option ids of a yes/no/abstain proposal, and their labels. */
export const OPTION_LABELS: Record<string, Record<Language, string>> = {
  yes: { zh: '同意', en: 'Yes' },
  no: { zh: '反对', en: 'No' },
  abstain: { zh: '弃权', en: 'Abstain' },
};

/** Why a household's personal data was read (the API's `AccessPurpose`). */
export const PURPOSE_LABELS: Record<
  'BILLING' | 'EMERGENCY' | 'GOVERNANCE' | 'LEGAL_OBLIGATION' | 'MAINTENANCE' | 'RESIDENT_REQUEST',
  Record<Language, string>
> = {
  BILLING: { zh: '收费', en: 'Billing' },
  EMERGENCY: { zh: '紧急情况', en: 'Emergency' },
  GOVERNANCE: { zh: '业主大会事务', en: 'Governance' },
  LEGAL_OBLIGATION: { zh: '法定义务', en: 'Legal obligation' },
  MAINTENANCE: { zh: '维修', en: 'Maintenance' },
  RESIDENT_REQUEST: { zh: '住户要求', en: 'Resident request' },
};
