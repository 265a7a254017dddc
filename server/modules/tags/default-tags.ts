/**
 * The default focus-group tree (重点人群) of a Chinese urban community, after the seeds: the elderly (独居, 空巢,
 * 高龄), groups in hardship (低保, 特困, 低收入), the disabled, entitled groups (优抚对象), left-behind children, and the
 * special groups the seeds ask to manage person by person (社区矫正, 刑释解教, 社区戒毒康复, 严重精神障碍).
 *
 * Who sees what by default: normal and sensitive tags the four roles that read residents; restricted tags leaders
 * and street staff only (an administrator may widen a tag to community and grid workers).
 */
import type { TagField, TagRole, TagSensitivity } from '../../../common/schemas/tags';

export interface DefaultTag {
  code: string;
  name: string;
  nameEn: string;
  sensitivity: TagSensitivity;
  fields?: TagField[];
  children?: DefaultTag[];
}

/** The roles that see a tag of a sensitivity unless an administrator says otherwise. */
export function defaultVisibleRoles(sensitivity: TagSensitivity): TagRole[] {
  return sensitivity === 'restricted'
    ? ['leader', 'street_staff']
    : ['leader', 'street_staff', 'community_worker', 'grid_worker'];
}

const periodStart: TagField = {
  key: 'periodStart',
  label: '期限起',
  labelEn: 'Period from',
  type: 'date',
  required: true,
};
const periodEnd: TagField = {
  key: 'periodEnd',
  label: '期限止',
  labelEn: 'Period to',
  type: 'date',
  required: true,
};

export const DEFAULT_TAGS: DefaultTag[] = [
  {
    code: 'elderly',
    name: '老年人',
    nameEn: 'Elderly',
    sensitivity: 'normal',
    children: [
      {
        code: 'elderly.alone',
        name: '独居老人',
        nameEn: 'Elderly living alone',
        sensitivity: 'normal',
        fields: [
          {
            key: 'contact',
            label: '紧急联系人',
            labelEn: 'Emergency contact',
            type: 'text',
            required: false,
          },
        ],
      },
      { code: 'elderly.empty_nest', name: '空巢老人', nameEn: 'Empty-nest elderly', sensitivity: 'normal' },
      {
        code: 'elderly.advanced',
        name: '高龄老人（80岁以上）',
        nameEn: 'Aged 80 and over',
        sensitivity: 'normal',
      },
    ],
  },
  {
    code: 'hardship',
    name: '困难群体',
    nameEn: 'Households in hardship',
    sensitivity: 'normal',
    children: [
      {
        code: 'hardship.dibao',
        name: '低保户',
        nameEn: 'Minimum living allowance (dibao)',
        sensitivity: 'sensitive',
        fields: [
          {
            key: 'certificate',
            label: '低保证号',
            labelEn: 'Certificate number',
            type: 'text',
            required: false,
          },
          {
            key: 'amount',
            label: '保障金额（元/月）',
            labelEn: 'Allowance (CNY/month)',
            type: 'number',
            required: false,
            min: 0,
          },
        ],
      },
      {
        code: 'hardship.tekun',
        name: '特困人员',
        nameEn: 'Persons in extreme poverty (tekun)',
        sensitivity: 'sensitive',
        fields: [
          {
            key: 'support',
            label: '供养方式',
            labelEn: 'Kind of support',
            type: 'select',
            required: false,
            options: ['集中供养', '分散供养'],
          },
        ],
      },
      {
        code: 'hardship.low_income',
        name: '低收入家庭',
        nameEn: 'Low-income family',
        sensitivity: 'sensitive',
      },
    ],
  },
  {
    code: 'disabled',
    name: '残疾人',
    nameEn: 'Persons with disabilities',
    sensitivity: 'sensitive',
    fields: [
      {
        key: 'kind',
        label: '残疾类别',
        labelEn: 'Kind of disability',
        type: 'select',
        required: true,
        options: ['视力', '听力', '言语', '肢体', '智力', '精神', '多重'],
      },
      {
        key: 'grade',
        label: '残疾等级',
        labelEn: 'Grade',
        type: 'select',
        required: true,
        options: ['一级', '二级', '三级', '四级'],
      },
      { key: 'certificate', label: '残疾证号', labelEn: 'Certificate number', type: 'text', required: false },
    ],
  },
  {
    code: 'entitled',
    name: '优抚对象',
    nameEn: 'Entitled groups',
    sensitivity: 'normal',
    children: [
      { code: 'entitled.veteran', name: '退役军人', nameEn: 'Veteran', sensitivity: 'normal' },
      { code: 'entitled.martyr_family', name: '烈士遗属', nameEn: "Martyr's family", sensitivity: 'normal' },
      {
        code: 'entitled.disabled_soldier',
        name: '伤残军人',
        nameEn: 'Disabled servicemember',
        sensitivity: 'normal',
      },
      {
        code: 'entitled.military_family',
        name: '现役军人家属',
        nameEn: 'Military family',
        sensitivity: 'normal',
      },
    ],
  },
  {
    code: 'left_behind_child',
    name: '留守儿童',
    nameEn: 'Left-behind child',
    sensitivity: 'normal',
    fields: [{ key: 'guardian', label: '监护人', labelEn: 'Guardian', type: 'text', required: false }],
  },
  {
    code: 'special',
    name: '特殊人群',
    nameEn: 'Special groups',
    sensitivity: 'restricted',
    children: [
      {
        code: 'special.corrections',
        name: '社区矫正对象',
        nameEn: 'Under community corrections',
        sensitivity: 'restricted',
        fields: [
          {
            key: 'kind',
            label: '矫正类别',
            labelEn: 'Kind',
            type: 'select',
            required: true,
            options: ['管制', '缓刑', '假释', '暂予监外执行'],
          },
          periodStart,
          periodEnd,
        ],
      },
      {
        code: 'special.released',
        name: '刑满释放人员',
        nameEn: 'Released prisoner',
        sensitivity: 'restricted',
        fields: [
          { key: 'releasedOn', label: '释放日期', labelEn: 'Released on', type: 'date', required: true },
          {
            key: 'resettlementUntil',
            label: '安置帮教期至',
            labelEn: 'Resettlement support until',
            type: 'date',
            required: false,
          },
        ],
      },
      {
        code: 'special.drug_rehab',
        name: '社区戒毒康复人员',
        nameEn: 'Community drug rehabilitation',
        sensitivity: 'restricted',
        fields: [
          {
            key: 'kind',
            label: '类型',
            labelEn: 'Kind',
            type: 'select',
            required: true,
            options: ['社区戒毒', '社区康复'],
          },
          periodStart,
          periodEnd,
        ],
      },
      {
        code: 'special.mental',
        name: '严重精神障碍患者',
        nameEn: 'Severe mental disorder',
        sensitivity: 'restricted',
        fields: [
          { key: 'guardian', label: '监护人', labelEn: 'Guardian', type: 'text', required: false },
          {
            key: 'riskLevel',
            label: '风险等级（0–5）',
            labelEn: 'Risk level (0–5)',
            type: 'number',
            required: true,
            min: 0,
            max: 5,
            integer: true,
          },
        ],
      },
    ],
  },
];
