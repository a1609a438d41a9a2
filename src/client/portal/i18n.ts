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
