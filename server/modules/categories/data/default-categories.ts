/**
 * The default case category tree for Chinese urban communities. Top level: the four kinds of matters the seeds
 * name (行政事务, 公共服务, 涉法涉诉, 维稳信访) and the common events and facilities of 数字城管 and grid patrols.
 *
 * matterClass (三事分流): public 大事 → government departments; community 小事 → community self-governance
 * (居委会, 业委会, 物业, 议事会); private 私事 → the resident, with guidance. handlingLevel: where such a case goes
 * when no routing rule says otherwise. Urgent categories count hours; the others the level's working days.
 */
import type {
  CategoryQuestion,
  HandlingLevel,
  MatterClass,
} from '../../../../common/schemas/categories';

export interface DefaultCategory {
  code: string;
  name: string;
  nameEn: string;
  matterClass: MatterClass;
  handlingLevel: HandlingLevel;
  urgent?: boolean;
  deadlineHours?: number;
  questions?: CategoryQuestion[];
  children?: DefaultCategory[];
}

const building: CategoryQuestion = {
  key: 'building',
  label: '楼栋',
  labelEn: 'Building',
  type: 'text',
  required: true,
};
const unit: CategoryQuestion = { key: 'unit', label: '单元', labelEn: 'Unit', type: 'text', required: false };

const noiseTime: CategoryQuestion = {
  key: 'timeOfDay',
  label: '噪声时段',
  labelEn: 'When the noise occurs',
  type: 'select',
  required: true,
  options: ['白天（6-12时）', '午休（12-14时）', '白天（14-22时）', '夜间（22-6时）'],
};

export const DEFAULT_CATEGORIES: DefaultCategory[] = [
  {
    code: 'admin',
    name: '行政事务',
    nameEn: 'Administrative affairs',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'admin.certificate',
        name: '证明开具',
        nameEn: 'Certificates',
        matterClass: 'public',
        handlingLevel: 'community',
      },
      {
        code: 'admin.household_register',
        name: '户籍与居住证',
        nameEn: 'Household registration and residence permits',
        matterClass: 'public',
        handlingLevel: 'street',
      },
      {
        code: 'admin.social_insurance',
        name: '社保医保',
        nameEn: 'Social and medical insurance',
        matterClass: 'public',
        handlingLevel: 'street',
      },
    ],
  },
  {
    code: 'service',
    name: '公共服务',
    nameEn: 'Public services',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'service.elderly',
        name: '养老服务',
        nameEn: 'Elderly care',
        matterClass: 'public',
        handlingLevel: 'community',
      },
      {
        code: 'service.health',
        name: '卫生健康',
        nameEn: 'Health',
        matterClass: 'public',
        handlingLevel: 'street',
      },
      {
        code: 'service.education',
        name: '教育入学',
        nameEn: 'Schooling',
        matterClass: 'public',
        handlingLevel: 'district',
      },
      {
        code: 'service.employment',
        name: '就业创业',
        nameEn: 'Employment',
        matterClass: 'public',
        handlingLevel: 'street',
      },
    ],
  },
  {
    code: 'legal',
    name: '涉法涉诉',
    nameEn: 'Legal matters and litigation',
    matterClass: 'public',
    handlingLevel: 'district',
    children: [
      {
        code: 'legal.aid',
        name: '法律援助',
        nameEn: 'Legal aid',
        matterClass: 'public',
        handlingLevel: 'district',
      },
      {
        code: 'legal.wage_arrears',
        name: '拖欠工资',
        nameEn: 'Unpaid wages',
        matterClass: 'public',
        handlingLevel: 'district',
      },
    ],
  },
  {
    code: 'petition',
    name: '维稳信访',
    nameEn: 'Petitions and stability',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'petition.letters',
        name: '来信来访',
        nameEn: 'Letters and visits',
        matterClass: 'public',
        handlingLevel: 'street',
      },
      {
        code: 'petition.group',
        name: '群体性矛盾苗头',
        nameEn: 'Early signs of group conflict',
        matterClass: 'public',
        handlingLevel: 'district',
        urgent: true,
        deadlineHours: 2,
      },
    ],
  },
  {
    code: 'env',
    name: '市容环境',
    nameEn: 'City appearance and environment',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'env.garbage',
        name: '垃圾堆放',
        nameEn: 'Dumped rubbish',
        matterClass: 'community',
        handlingLevel: 'community',
      },
      {
        code: 'env.street_vending',
        name: '占道经营',
        nameEn: 'Street vending on the road',
        matterClass: 'public',
        handlingLevel: 'street',
      },
      {
        code: 'env.illegal_building',
        name: '违章搭建',
        nameEn: 'Illegal construction',
        matterClass: 'public',
        handlingLevel: 'district',
      },
      {
        code: 'env.greenery',
        name: '绿化损毁',
        nameEn: 'Damaged greenery',
        matterClass: 'community',
        handlingLevel: 'community',
      },
      {
        code: 'env.dogs',
        name: '不文明养犬',
        nameEn: 'Irresponsible dog keeping',
        matterClass: 'community',
        handlingLevel: 'community',
      },
    ],
  },
  {
    code: 'facility',
    name: '设施损坏',
    nameEn: 'Damaged facilities',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'facility.streetlight',
        name: '路灯',
        nameEn: 'Street lights',
        matterClass: 'public',
        handlingLevel: 'street',
      },
      {
        code: 'facility.manhole',
        name: '井盖',
        nameEn: 'Manhole covers',
        matterClass: 'public',
        handlingLevel: 'district',
        urgent: true,
        deadlineHours: 4,
      },
      {
        code: 'facility.road',
        name: '道路破损',
        nameEn: 'Damaged roads',
        matterClass: 'public',
        handlingLevel: 'district',
      },
      {
        code: 'facility.elevator',
        name: '电梯故障',
        nameEn: 'Lift breakdowns',
        matterClass: 'community',
        handlingLevel: 'community',
        urgent: true,
        deadlineHours: 2,
        questions: [
          building,
          unit,
          {
            key: 'peopleTrapped',
            label: '是否有人被困',
            labelEn: 'Is anyone trapped?',
            type: 'boolean',
            required: true,
          },
        ],
      },
      {
        code: 'facility.water_leak',
        name: '供水漏水',
        nameEn: 'Water supply leaks',
        matterClass: 'public',
        handlingLevel: 'district',
        urgent: true,
        deadlineHours: 4,
      },
      {
        code: 'facility.public_equipment',
        name: '公共设施（健身器材、座椅等）',
        nameEn: 'Public equipment (fitness, benches)',
        matterClass: 'community',
        handlingLevel: 'community',
      },
    ],
  },
  {
    code: 'noise',
    name: '噪声扰民',
    nameEn: 'Noise nuisance',
    matterClass: 'public',
    handlingLevel: 'street',
    questions: [noiseTime],
    children: [
      {
        code: 'noise.construction',
        name: '施工噪声',
        nameEn: 'Construction noise',
        matterClass: 'public',
        handlingLevel: 'district',
        questions: [noiseTime],
      },
      {
        code: 'noise.business',
        name: '商业经营噪声',
        nameEn: 'Noise from businesses',
        matterClass: 'public',
        handlingLevel: 'street',
        questions: [noiseTime],
      },
      {
        code: 'noise.domestic',
        name: '生活噪声',
        nameEn: 'Noise from neighbours',
        matterClass: 'community',
        handlingLevel: 'community',
        questions: [noiseTime, building],
      },
    ],
  },
  {
    code: 'security',
    name: '治安隐患',
    nameEn: 'Public security risks',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'security.suspicious',
        name: '可疑人员车辆',
        nameEn: 'Suspicious people or vehicles',
        matterClass: 'public',
        handlingLevel: 'street',
        urgent: true,
        deadlineHours: 2,
      },
      {
        code: 'security.fraud',
        name: '电信网络诈骗',
        nameEn: 'Telecom and online fraud',
        matterClass: 'public',
        handlingLevel: 'district',
      },
    ],
  },
  {
    code: 'dispute',
    name: '矛盾纠纷',
    nameEn: 'Disputes',
    matterClass: 'community',
    handlingLevel: 'community',
    children: [
      {
        code: 'dispute.neighbour',
        name: '邻里纠纷',
        nameEn: 'Disputes between neighbours',
        matterClass: 'community',
        handlingLevel: 'community',
      },
      {
        code: 'dispute.family',
        name: '家庭纠纷',
        nameEn: 'Family disputes',
        matterClass: 'private',
        handlingLevel: 'community',
      },
      {
        code: 'dispute.property',
        name: '物业纠纷',
        nameEn: 'Disputes with the property manager',
        matterClass: 'community',
        handlingLevel: 'community',
      },
      {
        code: 'dispute.labour',
        name: '劳动纠纷',
        nameEn: 'Labour disputes',
        matterClass: 'public',
        handlingLevel: 'district',
      },
    ],
  },
  {
    code: 'welfare',
    name: '民生救助',
    nameEn: 'Social assistance',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'welfare.subsistence',
        name: '低保特困',
        nameEn: 'Minimum living allowance',
        matterClass: 'public',
        handlingLevel: 'street',
      },
      {
        code: 'welfare.emergency',
        name: '临时救助',
        nameEn: 'Emergency assistance',
        matterClass: 'public',
        handlingLevel: 'street',
        urgent: true,
        deadlineHours: 24,
      },
      {
        code: 'welfare.disability',
        name: '残疾人帮扶',
        nameEn: 'Support for people with disabilities',
        matterClass: 'public',
        handlingLevel: 'street',
      },
    ],
  },
  {
    code: 'property',
    name: '物业服务',
    nameEn: 'Property management',
    matterClass: 'community',
    handlingLevel: 'community',
    children: [
      {
        code: 'property.common_repair',
        name: '公共部位维修',
        nameEn: 'Repairs to common parts',
        matterClass: 'community',
        handlingLevel: 'community',
        questions: [building],
      },
      {
        code: 'property.parking',
        name: '停车管理',
        nameEn: 'Parking',
        matterClass: 'community',
        handlingLevel: 'community',
      },
      {
        code: 'property.fees',
        name: '物业收费',
        nameEn: 'Property fees',
        matterClass: 'community',
        handlingLevel: 'community',
      },
    ],
  },
  {
    code: 'fire',
    name: '消防安全',
    nameEn: 'Fire safety',
    matterClass: 'public',
    handlingLevel: 'street',
    children: [
      {
        code: 'fire.passage',
        name: '消防通道堵塞',
        nameEn: 'Blocked fire lanes',
        matterClass: 'community',
        handlingLevel: 'community',
      },
      {
        code: 'fire.ebike',
        name: '电动车违规充电',
        nameEn: 'E-bikes charged indoors or in stairwells',
        matterClass: 'community',
        handlingLevel: 'community',
        urgent: true,
        deadlineHours: 4,
        questions: [building],
      },
      {
        code: 'fire.gas',
        name: '燃气泄漏',
        nameEn: 'Gas leaks',
        matterClass: 'public',
        handlingLevel: 'district',
        urgent: true,
        deadlineHours: 1,
      },
    ],
  },
  {
    code: 'private',
    name: '邻里互助与私事咨询',
    nameEn: 'Mutual aid and private matters',
    matterClass: 'private',
    handlingLevel: 'community',
    children: [
      {
        code: 'private.policy_question',
        name: '政策咨询',
        nameEn: 'Questions about policies',
        matterClass: 'private',
        handlingLevel: 'community',
      },
      {
        code: 'private.mutual_aid',
        name: '邻里互助',
        nameEn: 'Help between neighbours',
        matterClass: 'private',
        handlingLevel: 'community',
      },
      {
        code: 'private.home_repair',
        name: '自家房屋维修',
        nameEn: 'Repairs inside one’s own home',
        matterClass: 'private',
        handlingLevel: 'community',
      },
    ],
  },
];
