/**
 * Chinese sentiment lexicon for customer-service language, weights −3 … +3, matched as substrings
 * by leftmost-longest dictionary match. 0 entries are blockers: longer words that contain a
 * sentiment character but mean something else (好几天, 差不多, 出差, 贵公司).
 */
export const SENTIMENT_ZH: Readonly<Record<string, number>> = {
  // Praise.
  好: 1.5, 很好: 2, 好评: 2.5, 满意: 2, 不错: 2, 挺好: 2, 棒: 2, 很棒: 2.5, 赞: 2, 点赞: 2, 给力: 2, 完美: 3, 优秀: 2.5,
  喜欢: 2, 推荐: 1.5, 感谢: 1.5, 谢谢: 1.5, 耐心: 1.5, 热情: 1.5, 专业: 1.5, 及时: 1.5, 很快: 2, 快速: 1.5, 迅速: 1.5,
  实惠: 1.5, 划算: 1.5, 方便: 1.5, 顺利: 1.5, 靠谱: 2, 放心: 1.5, 贴心: 2, 周到: 2, 解决: 0.5, 高兴: 2, 开心: 2, 惊喜: 2,
  值得: 1.5, 已解决: 2, 解决了: 1.5, 五星: 2.5, 物美价廉: 2.5, 质量好: 2, 服务好: 2, 态度好: 2, 正品: 1, 好用: 2, 流畅: 1.5, 舒服: 1.5,
  漂亮: 1.5, 完好: 1, 神速: 2.5, 超值: 2, 负责: 1.5, 认真: 1.5, 细心: 1.5, 礼貌: 1.5, 省心: 2, 好吃: 2, 清楚: 1,
  速度快: 2, 发货快: 2, 物流快: 2, 到货快: 2, 一流: 2.5, 满分: 2.5, 信赖: 1.5, 无可挑剔: 3, 性价比高: 2, 好人: 1.5,

  // Problems and feelings about them.
  差: -2, 很差: -2.5, 太差: -3, 差评: -3, 垃圾: -3, 骗子: -3, 骗: -2.5, 骗人: -3, 欺骗: -3, 诈骗: -3, 坑: -2, 坑人: -3,
  坑爹: -3, 黑心: -3, 无良: -3, 不满意: -2.5, 失望: -2.5, 生气: -2, 气愤: -2.5, 愤怒: -3, 恶心: -3, 恶劣: -3,
  态度差: -2.5, 态度恶劣: -3, 不发货: -2.5, 不退款: -2.5, 不给退: -2.5, 拒绝: -1.5, 推诿: -2.5, 敷衍: -2.5, 踢皮球: -2.5,
  不理: -2, 不理人: -2.5, 没人管: -2.5, 没人理: -2.5, 不回复: -2, 打不通: -2, 投诉: -1.5, 慢: -1.5, 太慢: -2, 很慢: -2,
  延迟: -1.5, 迟迟: -1.5, 拖延: -2, 一直没: -1.5, 没收到: -2, 坏: -2, 坏了: -2, 破损: -2, 损坏: -2, 故障: -2, 问题: -1,
  质量差: -2.5, 劣质: -2.5, 假货: -3, 次品: -2.5, 瑕疵: -1.5, 闪退: -2, 卡顿: -1.5, 打不开: -2, 乱收费: -2.5, 多扣: -2,
  乱扣: -2.5, 霸王条款: -2.5, 糟糕: -2.5, 糟心: -2, 烂: -2.5, 太烂: -3, 无语: -2, 崩溃: -2, 郁闷: -1.5, 难用: -2,
  麻烦: -1.5, 不行: -2, 不靠谱: -2.5, 不专业: -2, 不负责: -2.5, 不负责任: -3, 离谱: -2.5, 过分: -2, 欺负: -2.5,
  霸道: -2, 冷漠: -2, 不耐烦: -2, 态度不好: -2.5, 服务差: -2.5, 后悔: -2, 上当: -2.5, 难受: -1.5, 贵: -1, 太贵: -2,
  丢件: -2.5, 错发: -2, 漏发: -2, 发错: -2, 少发: -2, 气死: -3, 不能用: -2, 用不了: -2, 失败: -1.5, 再也不: -2,
  再也不买: -3, 无法: -1, 退不了: -2, 联系不上: -2, 找不到: -1, 没反应: -1.5, 虚假: -2.5, 欺诈: -3, 忽悠: -2.5,
  心累: -2, 失信: -2.5, 耽误: -1.5, 死机: -2, 白等: -2, 受骗: -3, 维权: -1.5, 差劲: -2.5, 怠慢: -2, 傲慢: -2.5,
  最好: 0.5, 还好: 0.5,

  // Blockers.
  好几: 0, 好久: 0, 好像: 0, 好多: 0, 好些: 0, 只好: 0, 好不容易: 0, 好的: 0.5, 差不多: 0, 差点: 0, 出差: 0, 差价: 0,
  差额: 0, 相差: 0, 误差: 0, 慢慢: 0, 贵公司: 0, 贵司: 0, 宝贵: 0, 贵宾: 0, 贵姓: 0, 满意度: 0, 不错过: 0, 不但: 0,
  问题是: 0, 坏处: 0, 好处: 0.5, 不好意思: 0,
};

/**
 * Modifiers read backwards from a sentiment word, up to three ("一点都不好", "不是很满意"):
 * a multiplier, and whether the modifier negates. Fillers (都, 也, 就, 是) pass through unchanged.
 */
export const MODIFIERS_ZH: Readonly<Record<string, { boost: number; negates: boolean }>> = {
  非常: { boost: 1.6, negates: false }, 特别: { boost: 1.5, negates: false }, 十分: { boost: 1.5, negates: false },
  极其: { boost: 1.8, negates: false }, 超级: { boost: 1.6, negates: false }, 实在: { boost: 1.4, negates: false },
  简直: { boost: 1.6, negates: false }, 相当: { boost: 1.4, negates: false }, 真的: { boost: 1.3, negates: false },
  太: { boost: 1.5, negates: false }, 很: { boost: 1.2, negates: false }, 超: { boost: 1.5, negates: false },
  真: { boost: 1.3, negates: false }, 最: { boost: 1.5, negates: false }, 极: { boost: 1.6, negates: false },
  挺: { boost: 1.1, negates: false }, 蛮: { boost: 1.1, negates: false }, 更: { boost: 1.2, negates: false },
  好: { boost: 1.3, negates: false }, 巨: { boost: 1.6, negates: false },
  有点: { boost: 0.7, negates: false }, 有些: { boost: 0.7, negates: false }, 稍微: { boost: 0.6, negates: false },
  比较: { boost: 0.9, negates: false }, 略: { boost: 0.6, negates: false }, 还算: { boost: 0.8, negates: false },
  都: { boost: 1, negates: false }, 也: { boost: 1, negates: false }, 就: { boost: 1, negates: false }, 是: { boost: 1, negates: false },
  不太: { boost: 0.7, negates: true }, 不怎么: { boost: 0.7, negates: true }, 不够: { boost: 0.8, negates: true },
  没那么: { boost: 0.7, negates: true }, 不算: { boost: 0.8, negates: true }, 不: { boost: 1, negates: true },
  没: { boost: 1, negates: true }, 没有: { boost: 1, negates: true }, 别: { boost: 1, negates: true },
  未: { boost: 1, negates: true }, 无: { boost: 1, negates: true }, 从不: { boost: 1, negates: true },
  从没: { boost: 1, negates: true }, 毫无: { boost: 1, negates: true }, 并不: { boost: 1, negates: true },
};

/** After "但是" the clause that follows carries the opinion. */
export const CONTRAST_ZH: readonly string[] = ['但是', '可是', '不过', '然而', '但', '却'];
