import { builder } from '../core/builder.ts';
import { checkPageSize } from '../core/pagination.ts';
import { prismaEnum } from '../core/enums.ts';
import { $Enums, type Area, Prisma } from '@fangkong/prisma';
import DataLoader from 'dataloader';
import type { Context } from '../core/context.ts';

export const AreaLevel = prismaEnum($Enums.AreaLevel, 'AreaLevel', 'A level of the administrative tree.', {
  DISTRICT: 'The zone (示范区/高新区).',
  TOWNSHIP: 'A township (乡).',
  SUBDISTRICT: 'An urban subdistrict (街道).',
  COMMUNITY: 'A community (社区).',
  COMPOUND: 'A residential compound (小区).',
});

/** `where` for "inside this area, at any depth": the materialised path holds every ancestor id. */
export function withinAreaPath(areaId: string) {
  return { path: { contains: `/${areaId}/` } };
}

/** SQL condition on an "Area" row's `path`: the area itself or any area below it. */
export function areaBelow(areaId: string, path: Prisma.Sql = Prisma.sql`path`) {
  return Prisma.sql`${path} LIKE ${`%/${areaId.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`}`;
}

const areaLoaders = new WeakMap<Context, DataLoader<string, Area | null>>();

/** Areas by id, one statement for every area a request's rows name (rows of figures name their areas by id). */
export function loadArea(ctx: Context, id: string): Promise<Area | null> {
  let loader = areaLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.prisma.area.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    areaLoaders.set(ctx, loader);
  }
  return loader.load(id);
}

export const AreaRef = builder.prismaNode('Area', {
  // node(id) of a well-formed id that does not exist answers null, not an error.
  nullable: true,
  authScopes: { reference: true },
  description: 'A place in the administrative tree: district, township, subdistrict, community or compound.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier, e.g. "zhulinlu".' }),
    name: t.exposeString('name', { description: 'Chinese name as the headquarters uses it.' }),
    nameEn: t.exposeString('nameEn', { description: 'English gloss of the name.' }),
    level: t.expose('level', { type: AreaLevel, description: 'Level in the tree.' }),
    path: t.exposeString('path', { description: 'Ids from the district down to this area, slash-separated.' }),
    note: t.exposeString('note', { nullable: true, description: 'What the seed says about the place.' }),
    parent: t.relation('parent', { nullable: true, description: 'The enclosing area; null for the district.' }),
    children: t.relation('children', { description: 'Areas directly inside this one.', query: { orderBy: { id: 'asc' } } }),
    enterprises: t.relation('enterprises', { description: 'Enterprises located directly in this area.', query: { orderBy: { id: 'asc' } } }),
  }),
});

builder.queryFields((t) => ({
  areas: t.prismaConnection(
    {
      authScopes: { reference: true },
      type: 'Area',
      cursor: 'id',
      description: 'Areas, optionally of one level or inside one area (its whole subtree, excluding itself).',
      args: {
        level: t.arg({ type: AreaLevel, required: false, description: 'Only areas of this level.' }),
        within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only areas below this one, at any depth.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.area.findMany({
          ...query,
          where: areasWhere(args),
          orderBy: [{ path: 'asc' }],
        });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.area.count({ where: areasWhere(args) }),
    },
    { description: 'A page of areas.' },
  ),
}));

function areasWhere(args: { level?: $Enums.AreaLevel | null; within?: { id: string } | null }) {
  return {
    ...(args.level ? { level: args.level } : {}),
    ...(args.within ? { ...withinAreaPath(args.within.id), NOT: { id: args.within.id } } : {}),
  };
}

export const DepartmentRef = builder.prismaNode('Department', {
  nullable: true,
  authScopes: { reference: true },
  description: 'A unit of the district or the city (区住建, 公安, 交警, 卫生健康 …).',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier.' }),
    name: t.exposeString('name', { description: 'Chinese name.' }),
    nameEn: t.exposeString('nameEn', { description: 'English gloss.' }),
    level: t.exposeString('level', { description: 'Government level: district, city or township.' }),
    people: t.relation('people', { description: 'Officials of this unit named in the record.' }),
  }),
});

export const PersonRef = builder.prismaNode('Person', {
  nullable: true,
  authScopes: { reference: true },
  description: 'An official named in the record, with the title the record gives.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier.' }),
    name: t.exposeString('name', { description: 'Chinese name.' }),
    nameEn: t.exposeString('nameEn', { description: 'Name in pinyin.' }),
    title: t.exposeString('title', { description: 'Title in Chinese.' }),
    titleEn: t.exposeString('titleEn', { description: 'Title in English.' }),
    department: t.relation('department', { nullable: true, description: 'The unit the person belongs to, if any.' }),
  }),
});

builder.queryFields((t) => ({
  departments: t.prismaField({
    authScopes: { reference: true },
    type: ['Department'],
    description: 'Every department, by id.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.department.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
  people: t.prismaField({
    authScopes: { reference: true },
    type: ['Person'],
    description: 'Every official named in the record, by id.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.person.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
}));
