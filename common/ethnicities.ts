/** The 56 ethnic groups (民族) of China with their GB/T 3304-1991 codes, and their names in each UI language. */
import type { Locale } from './locale';

export interface Ethnicity {
  /** Two-digit GB/T 3304 code, what is stored. */
  code: string;
  'zh-CN': string;
  'zh-TW': string;
  en: string;
}

const ROWS: [string, string, string, string][] = [
  ['01', '汉族', '漢族', 'Han'],
  ['02', '蒙古族', '蒙古族', 'Mongol'],
  ['03', '回族', '回族', 'Hui'],
  ['04', '藏族', '藏族', 'Tibetan'],
  ['05', '维吾尔族', '維吾爾族', 'Uyghur'],
  ['06', '苗族', '苗族', 'Miao'],
  ['07', '彝族', '彝族', 'Yi'],
  ['08', '壮族', '壯族', 'Zhuang'],
  ['09', '布依族', '布依族', 'Buyei'],
  ['10', '朝鲜族', '朝鮮族', 'Korean'],
  ['11', '满族', '滿族', 'Manchu'],
  ['12', '侗族', '侗族', 'Dong'],
  ['13', '瑶族', '瑤族', 'Yao'],
  ['14', '白族', '白族', 'Bai'],
  ['15', '土家族', '土家族', 'Tujia'],
  ['16', '哈尼族', '哈尼族', 'Hani'],
  ['17', '哈萨克族', '哈薩克族', 'Kazakh'],
  ['18', '傣族', '傣族', 'Dai'],
  ['19', '黎族', '黎族', 'Li'],
  ['20', '傈僳族', '傈僳族', 'Lisu'],
  ['21', '佤族', '佤族', 'Va'],
  ['22', '畲族', '畲族', 'She'],
  ['23', '高山族', '高山族', 'Gaoshan'],
  ['24', '拉祜族', '拉祜族', 'Lahu'],
  ['25', '水族', '水族', 'Sui'],
  ['26', '东乡族', '東鄉族', 'Dongxiang'],
  ['27', '纳西族', '納西族', 'Naxi'],
  ['28', '景颇族', '景頗族', 'Jingpo'],
  ['29', '柯尔克孜族', '柯爾克孜族', 'Kyrgyz'],
  ['30', '土族', '土族', 'Tu'],
  ['31', '达斡尔族', '達斡爾族', 'Daur'],
  ['32', '仫佬族', '仫佬族', 'Mulao'],
  ['33', '羌族', '羌族', 'Qiang'],
  ['34', '布朗族', '布朗族', 'Blang'],
  ['35', '撒拉族', '撒拉族', 'Salar'],
  ['36', '毛南族', '毛南族', 'Maonan'],
  ['37', '仡佬族', '仡佬族', 'Gelao'],
  ['38', '锡伯族', '錫伯族', 'Xibe'],
  ['39', '阿昌族', '阿昌族', 'Achang'],
  ['40', '普米族', '普米族', 'Pumi'],
  ['41', '塔吉克族', '塔吉克族', 'Tajik'],
  ['42', '怒族', '怒族', 'Nu'],
  ['43', '乌孜别克族', '烏孜別克族', 'Uzbek'],
  ['44', '俄罗斯族', '俄羅斯族', 'Russian'],
  ['45', '鄂温克族', '鄂溫克族', 'Evenki'],
  ['46', '德昂族', '德昂族', 'Deang'],
  ['47', '保安族', '保安族', 'Bonan'],
  ['48', '裕固族', '裕固族', 'Yugur'],
  ['49', '京族', '京族', 'Gin'],
  ['50', '塔塔尔族', '塔塔爾族', 'Tatar'],
  ['51', '独龙族', '獨龍族', 'Derung'],
  ['52', '鄂伦春族', '鄂倫春族', 'Oroqen'],
  ['53', '赫哲族', '赫哲族', 'Hezhen'],
  ['54', '门巴族', '門巴族', 'Monba'],
  ['55', '珞巴族', '珞巴族', 'Lhoba'],
  ['56', '基诺族', '基諾族', 'Jino'],
];

export const ETHNICITIES: readonly Ethnicity[] = ROWS.map(([code, cn, tw, en]) => ({
  code,
  'zh-CN': cn,
  'zh-TW': tw,
  en,
}));

/** The codes, for schema enums. */
export const ETHNICITY_CODES = ETHNICITIES.map((e) => e.code);

/** The name of an ethnic group in a language; the code itself when unknown. */
export function ethnicityName(code: string, locale: Locale): string {
  return ETHNICITIES.find((e) => e.code === code)?.[locale] ?? code;
}
