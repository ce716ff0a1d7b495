// The reference data: everything the seed document (a February 2020 page of the Jiaozuo daily about
// the Demonstration Zone's epidemic-response headquarters) names, with its dates and facts.
// Chinese names are the seed's; `nameEn` is a gloss (pinyin for people). Where the seed is silent
// and a value is still required (opening dates, capacities, times of day), the choice is marked
// "assumption" here and, where a reader of the data would otherwise take it for fact, in the data too.
import {
  AreaLevel,
  CheckpointKind,
  InspectionKind,
  LineStatus,
  MeetingKind,
  ProductCategory,
  ResumptionStatus,
  Sector,
  type Prisma,
} from '../generated/client/client.ts';

/** A local time in the zone (Asia/Shanghai, UTC+8, no daylight saving) as an instant. */
export function zoneTime(date: string, time = '00:00'): Date {
  return new Date(`${date}T${time}:00+08:00`);
}

/** Who the seed's own facts are recorded by (status changes etc.). */
export const seedActor = 'seed';

/** Seeded rows always carry their id, even where the table would generate one. */
type WithId<T> = T & { id: string };

// ───────────────────────────── places ─────────────────────────────

const areaTree: Omit<Prisma.AreaCreateManyInput, 'path'>[] = [
  {
    id: 'shifanqu',
    name: '示范区（高新区）',
    nameEn: 'Demonstration Zone (High-tech Zone)',
    level: AreaLevel.DISTRICT,
    parentId: null,
    note: 'Guards the southern gate of urban Jiaozuo (焦作市区"南大门").',
  },
  {
    id: 'sujiazuo',
    name: '苏家作乡',
    nameEn: 'Sujiazuo Township',
    level: AreaLevel.TOWNSHIP,
    parentId: 'shifanqu',
    note: 'Home of 市亿中弘工贸有限公司 and its three mask lines.',
  },
  {
    id: 'liwan',
    name: '李万街道',
    nameEn: 'Liwan Subdistrict',
    level: AreaLevel.SUBDISTRICT,
    parentId: 'shifanqu',
    note: null,
  },
  {
    id: 'zhulinlu',
    name: '竹林路社区',
    nameEn: 'Zhulin Road Community',
    level: AreaLevel.COMMUNITY,
    parentId: 'liwan',
    note: 'Piloted QR-code registration at the gate of 常绿·林溪谷 (7 Feb: to be rolled out zone-wide).',
  },
  {
    id: 'changlv-linxigu',
    name: '常绿·林溪谷',
    nameEn: 'Changlü Linxigu',
    level: AreaLevel.COMPOUND,
    parentId: 'zhulinlu',
    note:
      'Temporary Party branch of city-dispatched staff, subdistrict and community cadres and resident Party members; ' +
      'returnees from Hubei under 24-hour home isolation.',
  },
  // The seed places only 常绿·林溪谷 in 竹林路社区; the other three compounds are filed there too
  // (assumption, following DOMAIN.md) and say so in their note.
  {
    id: 'hpu-binhe',
    name: '河南理工大学滨河小区',
    nameEn: 'Henan Polytechnic University Binhe Compound',
    level: AreaLevel.COMPOUND,
    parentId: 'zhulinlu',
    note: 'Set up a temporary Party branch early. Community not named in the seed; filed under 竹林路社区 by assumption.',
  },
  {
    id: 'jinshan-dongfang',
    name: '金山东方花园',
    nameEn: 'Jinshan Dongfang Garden',
    level: AreaLevel.COMPOUND,
    parentId: 'zhulinlu',
    note:
      'Returnees from Hubei under isolation; mobile residents hard to register. ' +
      'Community not named in the seed; filed under 竹林路社区 by assumption.',
  },
  {
    id: 'baida-jiayuan',
    name: '百大嘉苑',
    nameEn: 'Baida Jiayuan',
    level: AreaLevel.COMPOUND,
    parentId: 'zhulinlu',
    note: 'Site of the 百大超市 supermarket. Community not named in the seed; filed under 竹林路社区 by assumption.',
  },
];

function withPaths(rows: Omit<Prisma.AreaCreateManyInput, 'path'>[]): Prisma.AreaCreateManyInput[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const pathOf = (id: string): string => {
    const row = byId.get(id);
    if (!row) throw new Error(`area ${id} is not defined`);
    return `${row.parentId ? pathOf(row.parentId) : '/'}${id}/`;
  };
  return rows.map((row) => ({ ...row, path: pathOf(row.id) }));
}

export const areas: Prisma.AreaCreateManyInput[] = withPaths(areaTree);

// ─────────────────────────── departments ───────────────────────────

export const departments: Prisma.DepartmentCreateManyInput[] = [
  { id: 'party-working-committee', name: '示范区（高新区）党工委、管委会', nameEn: 'Party Working Committee and Administrative Committee of the zone', level: 'district' },
  { id: 'headquarters', name: '示范区新型冠状病毒肺炎疫情防控指挥部', nameEn: "The zone's novel-coronavirus prevention and control headquarters", level: 'district' },
  { id: 'general-office', name: '区综合办公室', nameEn: 'District General Office', level: 'district' },
  { id: 'housing', name: '区住建', nameEn: 'District Housing and Urban-Rural Development Bureau', level: 'district' },
  { id: 'health', name: '区卫生健康委', nameEn: 'District Health Commission', level: 'district' },
  { id: 'medical', name: '医疗', nameEn: 'Medical staff', level: 'district' },
  { id: 'townships', name: '乡镇（街道）', nameEn: 'Townships and subdistricts', level: 'township' },
  { id: 'public-security', name: '公安', nameEn: 'Public security', level: 'district' },
  { id: 'traffic-police', name: '交警', nameEn: 'Traffic police', level: 'district' },
  { id: 'city-roads', name: '市路政', nameEn: 'City road administration', level: 'city' },
  { id: 'industry-it', name: '区工信', nameEn: 'District Industry and Information Technology Bureau', level: 'district' },
  { id: 'market-regulation', name: '市场监管', nameEn: 'Market regulation', level: 'district' },
  { id: 'finance', name: '金融', nameEn: 'Financial affairs', level: 'district' },
  { id: 'development-reform', name: '区发展改革', nameEn: 'District Development and Reform Bureau', level: 'district' },
  { id: 'investment', name: '招商', nameEn: 'Investment promotion', level: 'district' },
  { id: 'science-innovation', name: '科创', nameEn: 'Science and innovation', level: 'district' },
  { id: 'discipline', name: '区纪工委', nameEn: 'District Discipline Inspection Working Committee', level: 'district' },
  { id: 'organization', name: '区党工委组织部', nameEn: 'Organization Department of the Party Working Committee', level: 'district' },
  { id: 'red-cross', name: '区红十字会', nameEn: 'District Red Cross Society', level: 'district' },
  { id: 'sujiazuo-township', name: '苏家作乡', nameEn: 'Sujiazuo Township government', level: 'township' },
  { id: 'liwan-subdistrict', name: '李万街道', nameEn: 'Liwan Subdistrict office', level: 'township' },
];

// ───────────────────────────── people ─────────────────────────────

const zoneLeader = { title: '区领导', titleEn: 'zone leader', departmentId: 'party-working-committee' };

export const people: Prisma.PersonCreateManyInput[] = [
  {
    id: 'wang-jiapeng',
    name: '王家鹏',
    nameEn: 'Wang Jiapeng',
    title: '示范区（高新区）党工委书记、管委会主任，新型冠状病毒肺炎疫情防控指挥部总指挥',
    titleEn: 'Party Working Committee secretary and Administrative Committee director of the zone; commander-in-chief of its epidemic prevention and control headquarters',
    departmentId: 'party-working-committee',
  },
  { id: 'liu-mingsheng', name: '刘明胜', nameEn: 'Liu Mingsheng', ...zoneLeader },
  { id: 'liu-chunming', name: '刘春明', nameEn: 'Liu Chunming', ...zoneLeader },
  { id: 'feng-limin', name: '冯利民', nameEn: 'Feng Limin', ...zoneLeader },
  { id: 'xu-hailing', name: '许海玲', nameEn: 'Xu Hailing', ...zoneLeader },
  { id: 'jiang-kunfeng', name: '姜坤峰', nameEn: 'Jiang Kunfeng', ...zoneLeader },
  { id: 'shen-xiaodong', name: '申晓东', nameEn: 'Shen Xiaodong', ...zoneLeader },
  { id: 'zhao-junfeng', name: '赵俊峰', nameEn: 'Zhao Junfeng', ...zoneLeader },
  { id: 'su-xiaoyue', name: '苏晓悦', nameEn: 'Su Xiaoyue', ...zoneLeader },
  { id: 'wan-yingkui', name: '万英奎', nameEn: 'Wan Yingkui', ...zoneLeader },
  { id: 'gao-hong', name: '高鸿', nameEn: 'Gao Hong', ...zoneLeader },
  { id: 'hou-jianhua', name: '侯建华', nameEn: 'Hou Jianhua', ...zoneLeader },
  { id: 'zhao-junsheng', name: '赵俊生', nameEn: 'Zhao Junsheng', ...zoneLeader },
  {
    id: 'wang-xiaoping',
    name: '王小平',
    nameEn: 'Wang Xiaoping',
    title: '市委书记、市人大常委会主任',
    titleEn: 'Secretary of the Jiaozuo Municipal Party Committee; director of the Standing Committee of the Municipal People’s Congress',
    departmentId: null,
  },
  {
    id: 'wang-guosheng',
    name: '王国生',
    nameEn: 'Wang Guosheng',
    title: '省委书记',
    titleEn: 'Secretary of the Henan Provincial Party Committee',
    departmentId: null,
  },
];

// ─────────────────────────── checkpoints ───────────────────────────

// Opening dates are not in the seed (assumption): the three first checkpoints from 27 Jan, the start
// of the simulated history; the market the day after; compound gates from 1 Feb; the supermarket from 3 Feb.
const firstCheckpointNote =
  "One of the zone's first checkpoints, guarding the southern gate of urban Jiaozuo; runs a temporary Party branch. " +
  'Staffed by 区住建, 卫生健康, 医疗, 乡镇（街道）, 公安, 交警 and 市路政. The seed gives no finer place than the zone; ' +
  'opening date assumed (27 Jan 2020).';

export const checkpoints: Prisma.CheckpointCreateManyInput[] = [
  {
    id: 'yingbin-road-exit',
    name: '迎宾路高速出口',
    nameEn: 'Yingbin Road expressway exit',
    kind: CheckpointKind.EXPRESSWAY_EXIT,
    areaId: 'shifanqu',
    hasPartyBranch: true,
    usesQrScan: false,
    hasIsolationArea: false,
    description: firstCheckpointNote,
    openedAt: zoneTime('2020-01-27'),
    reportIntervalMinutes: 60,
  },
  {
    id: 'zhongyuan-road-exit',
    name: '中原路高速出口',
    nameEn: 'Zhongyuan Road expressway exit',
    kind: CheckpointKind.EXPRESSWAY_EXIT,
    areaId: 'shifanqu',
    hasPartyBranch: true,
    usesQrScan: false,
    hasIsolationArea: false,
    description: firstCheckpointNote,
    openedAt: zoneTime('2020-01-27'),
    reportIntervalMinutes: 60,
  },
  {
    id: 'fengshou-road',
    name: '丰收路疫情检查点',
    nameEn: 'Fengshou Road epidemic checkpoint',
    kind: CheckpointKind.ROAD,
    areaId: 'shifanqu',
    hasPartyBranch: true,
    usesQrScan: false,
    hasIsolationArea: false,
    description: firstCheckpointNote,
    openedAt: zoneTime('2020-01-27'),
    reportIntervalMinutes: 60,
  },
  {
    id: 'linxigu-gate',
    name: '常绿·林溪谷小区门岗',
    nameEn: 'Changlü Linxigu compound gate',
    kind: CheckpointKind.COMPOUND_GATE,
    areaId: 'changlv-linxigu',
    hasPartyBranch: true,
    usesQrScan: true,
    hasIsolationArea: false,
    description:
      'Registers people and vehicles by QR-code scanning, developed free of charge with a company and just introduced by ' +
      '竹林路社区 (7 Feb: to be rolled out zone-wide). Temporary Party branch of city-dispatched staff, subdistrict and ' +
      'community cadres and resident Party members. Opening date assumed (1 Feb 2020).',
    openedAt: zoneTime('2020-02-01'),
    reportIntervalMinutes: 60,
  },
  {
    id: 'binhe-gate',
    name: '河南理工大学滨河小区门岗',
    nameEn: 'Henan Polytechnic University Binhe compound gate',
    kind: CheckpointKind.COMPOUND_GATE,
    areaId: 'hpu-binhe',
    hasPartyBranch: true,
    usesQrScan: false,
    hasIsolationArea: false,
    description:
      'Disinfection and registration of entering vehicles and people; rest room for the staff on duty; temporary Party ' +
      'branch set up early. 7 Feb: disinfect every vehicle, take everyone’s temperature. Opening date assumed (1 Feb 2020).',
    openedAt: zoneTime('2020-02-01'),
    reportIntervalMinutes: 60,
  },
  {
    id: 'jinshan-gate',
    name: '金山东方花园小区门岗',
    nameEn: 'Jinshan Dongfang Garden compound gate',
    kind: CheckpointKind.COMPOUND_GATE,
    areaId: 'jinshan-dongfang',
    hasPartyBranch: false,
    usesQrScan: false,
    hasIsolationArea: false,
    description: 'Temperature checks of people entering, vehicle disinfection. Opening date assumed (1 Feb 2020).',
    openedAt: zoneTime('2020-02-01'),
    reportIntervalMinutes: 60,
  },
  {
    id: 'baida-supermarket',
    name: '百大嘉苑百大超市',
    nameEn: 'Baida supermarket, Baida Jiayuan',
    kind: CheckpointKind.SUPERMARKET,
    areaId: 'baida-jiayuan',
    hasPartyBranch: false,
    usesQrScan: false,
    // The 7 Feb inspection ordered a temporary isolation area "as soon as possible"; the seed does
    // not say it was set up, so it is recorded as absent and the finding stays open.
    hasIsolationArea: false,
    description:
      'Temperature checks of everyone entering. 7 Feb: told to set up a temporary isolation area as soon as possible ' +
      '(not yet reported done), keep medical staff on duty, disinfect and ventilate. Opening date assumed (3 Feb 2020).',
    openedAt: zoneTime('2020-02-03'),
    reportIntervalMinutes: 60,
    // Open 08:00–22:00 (assumed, as the simulated traffic); every other checkpoint is staffed round the clock.
    opensAtMinute: 8 * 60,
    closesAtMinute: 22 * 60,
  },
  {
    id: 'lubao-market',
    name: '芦堡蔬菜市场',
    nameEn: 'Lubao vegetable market',
    kind: CheckpointKind.MARKET,
    areaId: 'shifanqu',
    hasPartyBranch: false,
    usesQrScan: false,
    hasIsolationArea: false,
    description:
      "The city's main vegetable distribution hub, heavy vehicle and people traffic: screening of people and vehicles, " +
      'disinfection of the market, supply guarantee. Opening date assumed (28 Jan 2020).',
    openedAt: zoneTime('2020-01-28'),
    reportIntervalMinutes: 60,
  },
];

const firstCheckpointStaff = ['housing', 'health', 'medical', 'townships', 'public-security', 'traffic-police', 'city-roads'];

/** Who staffs each checkpoint, where the seed says so (the market's and Binhe's staff are not named). */
export const checkpointStaffing: Prisma.CheckpointStaffingCreateManyInput[] = [
  ...['yingbin-road-exit', 'zhongyuan-road-exit', 'fengshou-road'].flatMap((checkpointId) =>
    firstCheckpointStaff.map((departmentId) => ({ checkpointId, departmentId })),
  ),
  // 街道干部、社区干部 in the Party branch.
  { checkpointId: 'linxigu-gate', departmentId: 'liwan-subdistrict' },
  // "街道、社区要充分发挥作用".
  { checkpointId: 'jinshan-gate', departmentId: 'liwan-subdistrict' },
  // "加强医护人员值班值守".
  { checkpointId: 'baida-supermarket', departmentId: 'medical' },
];

// ─────────────────────────── production ───────────────────────────

export const enterprises: Prisma.EnterpriseCreateManyInput[] = [
  {
    id: 'yizhonghong',
    name: '市亿中弘工贸有限公司',
    nameEn: 'Yizhonghong Industry and Trade Co., Ltd.',
    sector: Sector.SANITARY_MATERIALS,
    areaId: 'sujiazuo',
    resumptionStatus: ResumptionStatus.RESUMED,
    description:
      'Sanitary-materials maker that urgently started three mask production lines (4 Feb: buying materials, upgrading ' +
      'equipment, hiring; 7 Feb: first batch produced). Funds, transport and permits arranged on site by 区工信, 市场监管, ' +
      '卫生健康, 金融 and 苏家作乡. Output under the headquarters’ unified allocation.',
  },
  {
    id: 'mingren-mingkang',
    name: '名仁明康公司',
    nameEn: 'Mingren Mingkang Company',
    sector: Sector.PROTECTIVE_EQUIPMENT,
    areaId: 'shifanqu',
    resumptionStatus: ResumptionStatus.RESUMED,
    description:
      'Mask maker that resumed work early, expanded capacity without asking for pay or conditions and works overtime ' +
      'to ease the city’s mask shortage; asked on 7 Feb to keep quality strict and cooperate with the zone’s other makers.',
  },
  {
    id: 'pingguang-pharma',
    name: '平光制药',
    nameEn: 'Pingguang Pharmaceutical',
    sector: Sector.PHARMACEUTICALS,
    areaId: 'shifanqu',
    resumptionStatus: ResumptionStatus.RESUMED,
    description: 'Makes medicines for epidemic prevention; asked on 4 Feb to run at full capacity.',
  },
  {
    id: 'zhuoli-membrane',
    name: '卓立膜材料股份有限公司',
    nameEn: 'Zhuoli Membrane Materials Co., Ltd.',
    sector: Sector.MEMBRANE_MATERIALS,
    areaId: 'shifanqu',
    resumptionStatus: ResumptionStatus.NOT_APPLIED,
    description:
      'Lead firm of the "China Membrane Valley" cluster (7 Feb symposium). Resumption status not stated in the seed.',
  },
  {
    id: 'zhongshan-guoan',
    name: '中山国安',
    nameEn: 'Zhongshan Guoan',
    sector: Sector.MEMBRANE_MATERIALS,
    areaId: 'shifanqu',
    resumptionStatus: ResumptionStatus.NOT_APPLIED,
    description: 'Membrane-materials firm that reported at the 7 Feb symposium. Resumption status not stated in the seed.',
  },
];

// Safety levels (安全库存) are assumptions, not the seed's: masks and suits as the stock-low rule had
// them (about a day's needs of the checkpoints and medical staff), medicine and disinfectant a few
// days of the zone's own use; food and drinks are bought and delivered by the communities (代购代送),
// not held by the headquarters, so no level is kept (0). Loaded once: an admin's later level stays.
export const products: Prisma.ProductCreateManyInput[] = [
  { id: 'medical-mask', name: '医用口罩', nameEn: 'Medical mask', category: ProductCategory.MASK, unit: '只', unitEn: 'piece', safetyLevel: 2000 },
  { id: 'n95-mask', name: 'N95口罩', nameEn: 'N95 mask', category: ProductCategory.MASK, unit: '只', unitEn: 'piece', safetyLevel: 500 },
  { id: 'protective-suit', name: '防护服', nameEn: 'Protective suit', category: ProductCategory.PROTECTIVE_EQUIPMENT, unit: '件', unitEn: 'suit', safetyLevel: 100 },
  { id: 'disinfectant', name: '消毒液', nameEn: 'Disinfectant', category: ProductCategory.DISINFECTANT, unit: '瓶', unitEn: 'bottle', safetyLevel: 200 },
  { id: 'medicine', name: '防控药品', nameEn: 'Epidemic-prevention medicine', category: ProductCategory.MEDICINE, unit: '盒', unitEn: 'box', safetyLevel: 1000 },
  { id: 'food', name: '食品', nameEn: 'Food', category: ProductCategory.FOOD, unit: '份', unitEn: 'portion', safetyLevel: 0 },
  { id: 'drinks', name: '饮料', nameEn: 'Drinks', category: ProductCategory.DRINK, unit: '瓶', unitEn: 'bottle', safetyLevel: 0 },
];

/** Product fields the seed sets when it inserts a product and never again (admins change them). */
export const productFieldsSetOnce = ['safetyLevel'] as const;

/** When 亿中弘's lines reached each status. Installing on 4 Feb and producing on 7 Feb are the seed's;
 * commissioning on 6 Feb and every time of day are assumptions. */
export const yizhonghongTimeline = {
  installing: zoneTime('2020-02-04', '09:00'),
  commissioning: zoneTime('2020-02-06', '08:00'),
  producing: zoneTime('2020-02-07', '08:00'),
};

/** Since when the lines of the early-resumed makers produce: not in the seed, assumed to be the
 * start of the simulated history (27 Jan). */
export const earlyProducersSince = zoneTime('2020-01-27');

// Rated daily capacities are not in the seed (assumptions): one flat-mask machine line at about
// 35 pieces a minute round the clock ≈ 50,000 a day; 名仁明康's expanded line 80,000 a day;
// 平光's packaging line 20,000 boxes a day.
export const productionLines: Prisma.ProductionLineCreateManyInput[] = [
  ...[1, 2, 3].map((n) => ({
    id: `yizhonghong-line-${n}`,
    name: `亿中弘口罩生产线${n}号`,
    nameEn: `Yizhonghong mask line ${n}`,
    enterpriseId: 'yizhonghong',
    productId: 'medical-mask',
    ratedDailyCapacity: 50_000,
    status: LineStatus.PRODUCING,
    statusChangedAt: yizhonghongTimeline.producing,
    reportIntervalMinutes: 60,
    // Lines run round the clock (no opening hours) and report from when they started producing.
    openedAt: yizhonghongTimeline.producing,
  })),
  {
    id: 'mingren-mingkang-line-1',
    name: '名仁明康口罩生产线1号',
    nameEn: 'Mingren Mingkang mask line 1',
    enterpriseId: 'mingren-mingkang',
    productId: 'medical-mask',
    ratedDailyCapacity: 80_000,
    status: LineStatus.PRODUCING,
    statusChangedAt: earlyProducersSince,
    reportIntervalMinutes: 60,
    openedAt: earlyProducersSince,
  },
  {
    id: 'pingguang-line-1',
    name: '平光制药防控药品生产线1号',
    nameEn: 'Pingguang epidemic-prevention medicine line 1',
    enterpriseId: 'pingguang-pharma',
    productId: 'medicine',
    ratedDailyCapacity: 20_000,
    status: LineStatus.PRODUCING,
    statusChangedAt: earlyProducersSince,
    reportIntervalMinutes: 60,
    openedAt: earlyProducersSince,
  },
];

export const lineStatusChanges: WithId<Prisma.LineStatusChangeCreateManyInput>[] = [
  ...[1, 2, 3].flatMap((n) => {
    const lineId = `yizhonghong-line-${n}`;
    return [
      {
        id: `${lineId}-installing`,
        lineId,
        from: null,
        to: LineStatus.INSTALLING,
        at: yizhonghongTimeline.installing,
        note: '4 Feb: equipment being installed, materials bought, staff hired (seed).',
        changedBy: seedActor,
      },
      {
        id: `${lineId}-commissioning`,
        lineId,
        from: LineStatus.INSTALLING,
        to: LineStatus.COMMISSIONING,
        at: yizhonghongTimeline.commissioning,
        note: 'Commissioning ("调试") urged on 4 Feb; the date is an assumption.',
        changedBy: seedActor,
      },
      {
        id: `${lineId}-producing`,
        lineId,
        from: LineStatus.COMMISSIONING,
        to: LineStatus.PRODUCING,
        at: yizhonghongTimeline.producing,
        note: '7 Feb: first batch produced (seed); time of day assumed.',
        changedBy: seedActor,
      },
    ];
  }),
  {
    id: 'mingren-mingkang-line-1-producing',
    lineId: 'mingren-mingkang-line-1',
    from: null,
    to: LineStatus.PRODUCING,
    at: earlyProducersSince,
    note: 'Resumed work early (seed); the date is an assumption.',
    changedBy: seedActor,
  },
  {
    id: 'pingguang-line-1-producing',
    lineId: 'pingguang-line-1',
    from: null,
    to: LineStatus.PRODUCING,
    at: earlyProducersSince,
    note: 'Producing when visited on 4 Feb (seed); the start date is an assumption.',
    changedBy: seedActor,
  },
];

// ───────────────────────────── command ─────────────────────────────

const allZoneLeaders = [
  'liu-mingsheng', 'liu-chunming', 'feng-limin', 'xu-hailing', 'jiang-kunfeng', 'shen-xiaodong',
  'zhao-junfeng', 'su-xiaoyue', 'wan-yingkui', 'gao-hong', 'hou-jianhua', 'zhao-junsheng',
];

export interface MeetingSeed extends Prisma.MeetingCreateManyInput {
  /** Everyone the seed lists as present, the chair included. */
  attendeeIds: string[];
}

export const meetings: MeetingSeed[] = [
  {
    id: 'hq-meeting-3',
    title: '示范区（高新区）新型冠状病毒肺炎疫情防控指挥部第三次会议',
    titleEn: "Third meeting of the zone's novel-coronavirus prevention and control headquarters",
    kind: MeetingKind.HEADQUARTERS,
    heldAt: zoneTime('2020-02-03', '15:00'),
    chairId: 'wang-jiapeng',
    summary:
      '传达省委书记王国生在豫北五地疫情防控工作调度会上的讲话精神、省委办公厅省政府办公厅关于印发机关学校企事业单位' +
      '疫情防控工作指南的通知精神，传达贯彻市疫情防控指挥部第三次会议精神；认清返程高峰和复工复产复课带来的风险挑战。' +
      '指挥部成员单位负责人、各乡镇（街道）党（工）委书记视频收听收看。',
    summaryEn:
      "Relayed provincial Party secretary Wang Guosheng's speech at the northern-Henan five-city dispatch meeting, the " +
      "provincial guideline for organs, schools and enterprises, and the city headquarters' third meeting; warned of the " +
      'risks of the return-travel peak and of resuming work and school. Member units and township (subdistrict) Party ' +
      'secretaries joined by video. The requirements are numbered here in the order the report gives them; the seed does not number them.',
    attendeeIds: ['wang-jiapeng', ...allZoneLeaders],
  },
  {
    id: 'membrane-valley-symposium',
    title: '中国膜谷建设座谈会',
    titleEn: 'Symposium on building the China Membrane Valley',
    kind: MeetingKind.SYMPOSIUM,
    heldAt: zoneTime('2020-02-07', '09:00'),
    chairId: 'wang-jiapeng',
    summary:
      '区发展改革、招商、科创等部门负责人和辖区部分膜材料工业企业代表参加；卓立、中山国安等企业代表汇报生产经营、科技研发和行业地位、' +
      '发展目标。2020年要围绕产业规划清晰、行业领域初步认可、骨干企业长足发展的目标，推进中国膜谷建设取得实质性突破。',
    summaryEn:
      'Heads of development and reform, investment promotion and science and innovation and representatives of membrane-materials ' +
      'firms attended; Zhuoli, Zhongshan Guoan and others reported on operations, R&D and goals. Aim for 2020: a substantive ' +
      'breakthrough — a clear industry plan, initial recognition in the field, strong growth of the core firms.',
    attendeeIds: ['wang-jiapeng', 'su-xiaoyue', 'gao-hong', 'hou-jianhua'],
  },
  {
    id: 'party-committee-2020-02-09',
    title: '示范区党工委（扩大）会议',
    titleEn: 'Enlarged meeting of the zone Party Working Committee',
    kind: MeetingKind.PARTY_COMMITTEE,
    heldAt: zoneTime('2020-02-09', '09:00'),
    chairId: 'wang-jiapeng',
    summary:
      '传达贯彻市委书记王小平2月8日下午到示范区暗访人员在岗在位、防控措施落实和企业复工复产准备情况时的讲话精神，传达贯彻2月7日' +
      '市委党的建设工作领导小组会议精神；听取指挥部“一室五组”工作汇报及班子成员分管领域2020年重点工作和分包重大项目推进情况汇报。',
    summaryEn:
      "Relayed city Party secretary Wang Xiaoping's remarks from his unannounced visit of 8 Feb afternoon (staff at their " +
      "posts, control measures, enterprises' preparations to resume work) and the city Party-building leading group's meeting " +
      "of 7 Feb; heard reports from the headquarters' office and five groups and from each leader on 2020 priorities and the major projects they oversee.",
    attendeeIds: ['wang-jiapeng', ...allZoneLeaders.filter((id) => id !== 'su-xiaoyue')],
  },
];

function numbered(
  meetingId: string,
  issuedAt: Date,
  issuedBy: string,
  items: [text: string, textEn: string][],
): WithId<Prisma.DirectiveCreateManyInput>[] {
  return items.map(([text, textEn], index) => ({
    id: `${meetingId}-${index + 1}`,
    meetingId,
    ordinal: index + 1,
    text,
    textEn,
    issuedAt,
    issuedBy,
  }));
}

const meetingTime = (id: string): Date => {
  const meeting = meetings.find((m) => m.id === id);
  if (!meeting) throw new Error(`meeting ${id} is not defined`);
  return new Date(meeting.heldAt);
};

export const directives: WithId<Prisma.DirectiveCreateManyInput>[] = [
  {
    id: 'general-office-2020-01-27-1',
    meetingId: null,
    ordinal: 1,
    text: '区综合办党员干部自1月27日起取消休假、到岗值守、主动作为，投入疫情防控阻击战。',
    textEn: "From 27 Jan the general office's Party members and cadres cancel leave, report for duty and join the fight against the epidemic.",
    issuedAt: zoneTime('2020-01-27'),
    issuedBy: '区综合办公室',
  },
  ...numbered('hq-meeting-3', meetingTime('hq-meeting-3'), '王家鹏', [
    [
      '切实提升政治站位：贯彻习近平总书记重要讲话、重要指示精神和党中央、国务院决策部署，把打赢疫情防控阻击战作为当前重大政治任务，按照省委、省政府“十个坚决到位”要求落细落实各项防控措施。',
      "Raise political awareness: carry out the central leadership's instructions, treat winning the fight as the overriding political task, and implement every measure under the province's \"ten resolutely in place\" requirements.",
    ],
    [
      '认真履行主体责任：落实属地责任，加强分类指导，督促机关、学校、企事业单位强化主体责任，加强对从业人员和服务对象的健康监测，完善相关设施设备。',
      'Fulfil primary responsibility: apply territorial responsibility, guide by category, make organs, schools and enterprises monitor the health of staff and the people they serve, and complete their facilities.',
    ],
    [
      '积极开展宣传引导：引导干部职工、学生及家长增强防控意识，提高自我防护能力。',
      'Inform and guide: help cadres, workers, students and parents take prevention seriously and protect themselves.',
    ],
    [
      '强化党建引领、宣传教育和责任担当，用严的纪律锤炼实的作风，用实的举措推动疫情防控工作顺利开展。',
      'Let Party building lead, strengthen education and accountability; strict discipline for a practical style, practical measures for smooth prevention work.',
    ],
    [
      '加强医用物资筹措，调动各方资源，千方百计保障医疗物资供应到位。',
      'Procure medical supplies, mobilise every resource and do whatever it takes to keep medical supplies available.',
    ],
    [
      '科学精准施策：坚持联防联控，加强医疗救治，强化筛查识别、规范治疗和防护管理，保障群众正常生活，加大市场监管力度，畅通运输绿色通道，强化城市功能保障。',
      'Act scientifically and precisely: joint prevention and control, medical treatment, screening and identification, standard treatment and protection; keep daily life normal, tighten market regulation, keep green transport lanes open, keep city functions running.',
    ],
    [
      '加强组织领导：坚持领导带头、强化部门协同、严格督导问责，健全严密的疫情防控责任体系，确保各项防控措施落实落地、取得实效。',
      'Strengthen leadership: leaders set the example, departments coordinate, supervision and accountability are strict, and a tight responsibility system makes every measure take effect.',
    ],
  ]),
  ...numbered('membrane-valley-symposium', meetingTime('membrane-valley-symposium'), '王家鹏', [
    [
      '一要高度重视：抓住产业结构调整、战略性新兴产业培育和膜材料应用日广、市场空间日大的机遇，坚定不移推进膜谷建设；弄清膜材料细分领域和“谷”的概念，向“高、大、新、多”方向发展，形成高科技产业集群。',
      'Take it seriously: seize the opportunity of industrial restructuring and the growing use and market of membrane materials; understand the sub-fields and what a "valley" means, and grow a high-tech cluster that is high-end, large, new and diverse.',
    ],
    [
      '二要摸清家底：把辖区膜材料企业的产能、人才、科研力量调查清楚，做到底数清、情况明。',
      "Take stock: survey the capacity, talent and research strength of the zone's membrane firms until the numbers and situation are clear.",
    ],
    [
      '三要科学规划，准确定位：在前期项目论证基础上，加强与行业领军企业、第三方机构合作，编制与示范区产业基础、人才优势相契合的产业发展规划。',
      "Plan scientifically and position precisely: with leading firms and third-party institutions, draw up an industry plan that fits the zone's industrial base and talent.",
    ],
    [
      '四要理清路径：坚持政府引导、企业为主、龙头引领、集群发展；卓立膜材料股份有限公司发挥规模、研发、团队优势，承担龙头引领企业任务。',
      'Clarify the path: government guides, firms lead, a flagship pulls, the cluster grows; Zhuoli Membrane Materials, with its scale, R&D and team, takes the flagship role.',
    ],
    [
      '五要优化存量、引进增量：做大做强做优现有企业，同时加大力度招引关联产业，壮大集群规模。',
      'Improve what exists and attract more: grow the existing firms and recruit related industries to enlarge the cluster.',
    ],
    [
      '六要整合资源，强力推进：加强领导力量，完善工作推进机制；整合膜材料行业产业协会资源，引进行业专家、研发机构；出台务实管用的扶持政策。',
      'Pool resources and push hard: more leadership, a better working mechanism, the industry associations, outside experts and R&D institutions, and practical support policies.',
    ],
    [
      '七要处理好名与实、当前和长远、研发与产业的关系：既有打造膜谷的胸怀和魄力，更有务实举措；统筹编制近期、中期、远期发展规划；强化研发支撑和创新平台建设，加强与科研院校合作，研发服务产业、注重可转化可产业化项目，争取列入国家、省科技专项。',
      'Balance name and substance, present and future, research and industry: ambition backed by practical steps; near-, mid- and long-term plans; research platforms and university cooperation serving industry, favouring projects that can be commercialised, and bids for national and provincial science programmes.',
    ],
  ]),
  ...numbered('party-committee-2020-02-09', meetingTime('party-committee-2020-02-09'), '王家鹏', [
    [
      '一要准确理解把握王小平暗访讲话精神，抓好贯彻落实：高度重视当前疫情防控，决不能有丝毫懈怠；加强党对疫情防控的统一领导和基层党组织建设；加强市场供应保障，关心百姓生活；积极应对疫情，推动经济社会稳步发展。',
      "Understand and carry out Wang Xiaoping's remarks from his unannounced visit: no slackening; stronger Party leadership and grass-roots Party organisations; secure market supplies and care for people's livelihoods; keep the economy and society developing steadily.",
    ],
    [
      '二要准确研判形势，抓牢关键环节，持续打好疫情防控阻击战：关注疫情、人员流动、上级要求、群众要求的新变化；排查再深入，管控再严密，保障再加强，责任再落实，纪律再严明，督导再加强；作好长期斗争准备，克服懈怠、麻痹、松懈思想。',
      'Judge the situation and hold the key links: watch for changes in the epidemic, in population movement, in instructions from above and in public needs; screen deeper, control tighter, supervise harder; prepare for a long fight and guard against complacency.',
    ],
    [
      '三要保障供应，保证质量，稳定物价，满足辖区群众生活需要：防疫物资生产企业在保证质量前提下开足马力、实现最大产能；加强防疫物资统筹调度，既服务全市需要，也保证辖区需求；组建社区服务队、代购代送、送货上门，减少居民出行和集聚。',
      "Secure supply, quality and prices: makers of prevention supplies run at full capacity without compromising quality; allocate supplies centrally for the city's needs and the zone's own; community service teams shop and deliver to doors so residents go out and gather less.",
    ],
    [
      '四要查弱项、补短板，全面提升基层治理能力：大抓基层、大抓支部，继续开展“举党旗亮党徽、打头阵当先锋”活动；认清差距，培育正面典型，创造在全市可复制、可推广的经验。',
      'Fix weak points and raise grass-roots governance: build up branches, continue the "raise the Party flag, lead from the front" campaign, and create models the whole city can copy.',
    ],
    [
      '五要统筹兼顾，精准施策，协调推进经济社会发展各项重点工作：研判疫情对经济社会的影响，加强经济运行调度；有序受理企业复产复工申请，有序引导企业和项目开工复工；建立企业纾困解难机制，成立工作专班；加快智慧城市、智慧社区、大数据中心和各类应用平台建设。',
      'Balance epidemic control with development: assess the economic impact and steer the economy; accept applications to resume work in order and guide firms and projects back to work; set up a relief mechanism and task force for firms; speed up smart-city, smart-community, big-data-centre and platform building.',
    ],
    [
      '六要加强领导，严肃纪律，确保决策部署落细落实：服从统一指挥、统一协调、统一调度；基层党组织发挥战斗堡垒作用，形成联防联控、群防群治态势；对不尽心不尽责、推诿扯皮、敷衍塞责、瞒报漏报造成严重后果的严肃问责、严肃处理。',
      'Lead firmly and enforce discipline: obey unified command, coordination and allocation; grass-roots Party organisations act as bastions for joint prevention; hold to account anyone whose negligence, buck-passing or concealment and under-reporting (瞒报漏报) causes serious consequences.',
    ],
  ]),
];

// ─────────────────────────── inspections ───────────────────────────

export interface InspectionSeed extends Prisma.InspectionCreateManyInput {
  participantIds: string[];
}

// The general office's joint supervision (四位一体: 纪工委, 组织部, 卫生健康委) makes day visits and
// night spot checks, but the seed gives no date, site or finding for any of them, so none is recorded
// as an Inspection; its members are seeded as departments.
export const inspections: InspectionSeed[] = [
  {
    id: 'field-visit-2020-02-04',
    kind: InspectionKind.FIELD_VISIT,
    title: '王家鹏调研疫情防控物资生产并慰问一线工作人员',
    titleEn: 'Wang Jiapeng inspects supply production and visits front-line checkpoint staff',
    heldAt: zoneTime('2020-02-04', '09:00'),
    leadId: 'wang-jiapeng',
    summary:
      '调研市亿中弘工贸有限公司三条口罩生产线准备情况并现场办公；慰问迎宾路、中原路高速出口和丰收路检查点工作人员，送上防护服、口罩、' +
      '饮料、食品；督查芦堡蔬菜市场管控措施；调研平光制药。',
    summaryEn:
      "Visited Yizhonghong's three mask lines in preparation and held an on-site office; thanked the staff of the Yingbin Road " +
      'and Zhongyuan Road exits and Fengshou Road checkpoint with protective suits, masks, drinks and food; checked controls at ' +
      'Lubao vegetable market; visited Pingguang Pharmaceutical.',
    participantIds: ['shen-xiaodong', 'su-xiaoyue', 'hou-jianhua', 'zhao-junsheng'],
  },
  {
    id: 'field-visit-2020-02-07',
    kind: InspectionKind.FIELD_VISIT,
    title: '王家鹏调研社区楼院超市疫情防控工作及防疫物资生产企业',
    titleEn: 'Wang Jiapeng inspects compounds, a supermarket and supply makers',
    // The seed gives only the date; the morning was taken by the membrane-valley symposium, so the
    // afternoon is assumed.
    heldAt: zoneTime('2020-02-07', '14:00'),
    leadId: 'wang-jiapeng',
    summary: '深入常绿·林溪谷、百大嘉苑百大超市、河南理工大学滨河小区、金山东方花园调研疫情防控，到市亿中弘工贸有限公司、名仁明康公司调研防疫物资生产。',
    summaryEn:
      'Inspected prevention work at Changlü Linxigu, the Baida supermarket, HPU Binhe compound and Jinshan Dongfang Garden, ' +
      'and supply production at Yizhonghong and Mingren Mingkang. Time of day assumed (afternoon).',
    participantIds: ['liu-mingsheng', 'wan-yingkui'],
  },
  {
    id: 'unannounced-visit-2020-02-08',
    kind: InspectionKind.UNANNOUNCED_VISIT,
    title: '市委书记王小平到示范区暗访',
    titleEn: 'Unannounced visit to the zone by city Party secretary Wang Xiaoping',
    heldAt: zoneTime('2020-02-08', '15:00'),
    leadId: 'wang-xiaoping',
    summary: '暗访人员在岗在位情况，了解防控措施落实和企业复工复产准备情况；讲话精神由2月9日党工委（扩大）会议传达贯彻。',
    summaryEn:
      "Checked unannounced that staff were at their posts, how control measures were carried out and how firms were preparing " +
      'to resume work; his remarks were relayed at the enlarged Party Working Committee meeting of 9 Feb. The seed records no site findings.',
    participantIds: [],
  },
];

const feb4 = inspections[0]!.heldAt;
const feb7 = inspections[1]!.heldAt;

// Owners: the seed names the departments for 亿中弘's on-site office (区工信 first); for the
// compounds it names the subdistrict and community; elsewhere the owner is the department whose
// remit the instruction falls in, or none where no unit is evident.
export const findings: Prisma.FindingCreateManyInput[] = [
  {
    id: 'field-visit-2020-02-04-yizhonghong-on-site',
    inspectionId: 'field-visit-2020-02-04',
    siteName: '市亿中弘工贸有限公司',
    siteAreaId: 'sujiazuo',
    siteEnterpriseId: 'yizhonghong',
    problem: '企业负责人提出的资金、交通运输、生产手续办理等问题。',
    problemEn: "Problems raised by the firm's head: funds, transport, production permits.",
    ownerDepartmentId: 'industry-it',
    resolvedAt: feb4,
    resolution: '王家鹏组织区工信、市场监管、卫生健康、金融、苏家作乡等部门和单位现场办公予以解决。',
  },
  {
    id: 'field-visit-2020-02-04-yizhonghong-lines',
    inspectionId: 'field-visit-2020-02-04',
    siteName: '市亿中弘工贸有限公司',
    siteAreaId: 'sujiazuo',
    siteEnterpriseId: 'yizhonghong',
    problem: '加紧设备安装、调试，加快投入生产，确保三条口罩生产线如期开工；相关部门在资金、交通运输、生产手续办理等方面给予充分支持；企业服从政府统一调度。',
    problemEn:
      'Speed up installing and commissioning so the three mask lines start on schedule, with full support on funds, transport ' +
      'and permits; the firm follows the government’s unified allocation.',
    ownerDepartmentId: 'industry-it',
    resolvedAt: feb7,
    resolution: '2月7日调研时已生产出首批产品。',
  },
  ...[
    ['yingbin-road-exit', '迎宾路高速出口'],
    ['zhongyuan-road-exit', '中原路高速出口'],
    ['fengshou-road', '丰收路疫情检查点'],
  ].map(([checkpointId, siteName]) => ({
    id: `field-visit-2020-02-04-${checkpointId}`,
    inspectionId: 'field-visit-2020-02-04',
    siteName: siteName!,
    siteAreaId: 'shifanqu',
    siteCheckpointId: checkpointId!,
    problem: '站点工作人员要作好自身安全防护，协同作战，守好焦作市区“南大门”。',
    problemEn: "Staff must protect themselves, work together and hold the city's southern gate.",
    ownerDepartmentId: null,
    resolvedAt: null,
    resolution: null,
  })),
  {
    id: 'field-visit-2020-02-04-lubao-market',
    inspectionId: 'field-visit-2020-02-04',
    siteName: '芦堡蔬菜市场',
    siteAreaId: 'shifanqu',
    siteCheckpointId: 'lubao-market',
    problem: '加强调度，强化物流，保证蔬菜市场供应；严格疫情防控，加强交易场所监控；把握车辆人员输入、流动人员出入等防控重点，落实预案。',
    problemEn:
      'Keep vegetables supplied through dispatching and logistics; monitor the trading floor; focus on incoming vehicles and ' +
      'people and on transients; carry out the contingency plan.',
    ownerDepartmentId: 'market-regulation',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-04-pingguang',
    inspectionId: 'field-visit-2020-02-04',
    siteName: '平光制药',
    siteAreaId: 'shifanqu',
    siteEnterpriseId: 'pingguang-pharma',
    problem: '开足马力，加快生产，充分保障疫情防控药品供应。',
    problemEn: 'Run at full capacity and keep prevention medicines fully supplied.',
    ownerDepartmentId: 'industry-it',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-linxigu-qr',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '常绿·林溪谷',
    siteAreaId: 'changlv-linxigu',
    siteCheckpointId: 'linxigu-gate',
    problem: '竹林路社区与企业免费开发的二维码扫描登记方法予以肯定，要求在全区推广。',
    problemEn: 'QR-code registration developed free with a company: approved, to be rolled out across the zone.',
    ownerDepartmentId: 'headquarters',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-linxigu-isolation',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '常绿·林溪谷',
    siteAreaId: 'changlv-linxigu',
    siteCheckpointId: 'linxigu-gate',
    problem: '落实街道、社区、物业分包隔离人员责任制，强化出入车辆人员排查，加强对湖北返乡人员居家隔离的全天24小时跟踪检查和生活保障。',
    problemEn:
      'Assign each isolated person to the subdistrict, community and property management; screen vehicles and people more ' +
      'closely; check on Hubei returnees in home isolation round the clock and keep them supplied.',
    ownerDepartmentId: 'liwan-subdistrict',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-baida-supermarket',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '百大嘉苑百大超市',
    siteAreaId: 'baida-jiayuan',
    siteCheckpointId: 'baida-supermarket',
    problem: '超市是疫情防控重点难点：查摆漏洞，严格防控，作好消毒、通风，加强医护人员值班值守，尽快设立临时隔离区，严格按医学防控要求落实预案。',
    problemEn:
      'Supermarkets are a hard spot: find gaps, disinfect and ventilate, keep medical staff on duty, set up a temporary ' +
      'isolation area as soon as possible and follow the medical contingency plan.',
    ownerDepartmentId: 'health',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-binhe',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '河南理工大学滨河小区',
    siteAreaId: 'hpu-binhe',
    siteCheckpointId: 'binhe-gate',
    problem: '进出小区车辆一律消毒，进出人员认真进行体温检测，加强小区卫生管理，创造干净清爽环境。',
    problemEn: 'Disinfect every vehicle, take the temperature of everyone in and out, keep the compound clean.',
    ownerDepartmentId: 'liwan-subdistrict',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-jinshan',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '金山东方花园',
    siteAreaId: 'jinshan-dongfang',
    siteCheckpointId: 'jinshan-gate',
    problem: '居民流动性强、去向判断难、登记难度大，是防控薄弱环节：街道、社区充分发挥作用，严格落实措施，控制人员流动，同时满足居民生活需求。',
    problemEn:
      'A weak link — residents move a lot and are hard to track and register: the subdistrict and community must enforce the ' +
      "measures and limit movement while meeting residents' daily needs.",
    ownerDepartmentId: 'liwan-subdistrict',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-yizhonghong',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '市亿中弘工贸有限公司',
    siteAreaId: 'sujiazuo',
    siteEnterpriseId: 'yizhonghong',
    problem: '进一步加大财政支持力度，加快各种手续办理，尽快让产品投放市场，缓解防疫物资紧张局面。',
    problemEn: 'More fiscal support and faster permits so the masks reach the market soon and ease the shortage.',
    ownerDepartmentId: 'industry-it',
    resolvedAt: null,
    resolution: null,
  },
  {
    id: 'field-visit-2020-02-07-mingren-mingkang',
    inspectionId: 'field-visit-2020-02-07',
    siteName: '名仁明康公司',
    siteAreaId: 'shifanqu',
    siteEnterpriseId: 'mingren-mingkang',
    problem: '严格质量，科学安排，加快生产，积极与示范区防疫物资生产企业加强合作。',
    problemEn: "Keep quality strict, plan well, speed up production and cooperate with the zone's other supply makers.",
    ownerDepartmentId: 'industry-it',
    resolvedAt: null,
    resolution: null,
  },
];
