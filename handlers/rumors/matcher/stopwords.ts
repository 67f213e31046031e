/**
 * Words that say nothing about which claim a resident means: function words, question words,
 * hedges ("I heard", "is it true") and negations. Negations are dropped on purpose: "does hot
 * water kill the virus" and "hot water does not kill the virus" ask about the same fact-check.
 */
export const EN_STOPWORDS = new Set(
  `a an the is are was were be been being am do does did doing done have has had having can could will would shall should may
  might must i me my mine myself you your yours he him his she her it its we us our they them their this that these those there
  here what which who whom whose when where why how if then than so as at by for from in into of on onto to with without about
  and or but not no nor dont doesnt didnt isnt arent wasnt cant wont shouldnt im ive youre thats whats theres very really too
  also even ever any some more most much many lot get got gets getting make makes made let lets say says said tell told true
  truth real really legit legitimate genuine fake rumor rumour rumors rumours claim heard hear someone anyone people person
  thing things like know think believe please share thanks thank hi hello hey yes just still ever need needs want
  going gonna go one way back thru through anything something everything take takes taking took taken already contain
  contains containing right off well keep keeps kept`
    .split(/\s+/)
    .filter(Boolean),
);

export const ZH_STOPWORDS = new Set(
  `的 地 得 了 着 过 吗 呢 啊 吧 呀 哦 嘛 么 哈 嗯 喂 啦 哇 呗 是 是不是 不是 就 都 也 还 又 会 会不会 能 能不能 可以 可不可以 可 能够
  要 要不要 需要 必须 应该 该 在 和 与 及 跟 或 或者 把 被 给 对 从 到 向 这 那 这个 那个 这些 那些 这样 那样 什么 怎么 怎样 如何
  为什么 哪 哪里 哪儿 谁 我 你 您 他 她 它 我们 你们 他们 咱们 大家 自己 人 有人 一 一个 一下 有 没有 没 不 不会 不能 不用 别 千万
  真的 假的 真 假 听说 据说 说 看到 网上 传言 谣言 消息 请问 问 问一下 到底 究竟 其实 已经 才 只是 而且 但是 可是 因为 所以 如果
  然后 还是 很 非常 特别 太 最 好 些 点 有点 一点 一些 个 种 次 算 算不算 就是 就说明 说明 还能 还 吧 呢 嘛 哎 哎呀 天 下 中 去 来 打 做 弄 搞 越 更 不算 结果 不准 时 放进 里 里面 上 你好 您好 谢谢 请 帮忙`
    .split(/\s+/)
    .filter(Boolean),
);
