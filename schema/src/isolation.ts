import { builder } from './builder.ts';
import { checkPageSize } from './pagination.ts';
import { AreaRef, withinAreaPath } from './places.ts';

// Personal data: names, phones and health checks of people in home isolation. The access-control
// work restricts these types to health staff and admins; everyone else reads counts (zoneSummary).

const IsolationStatus = builder.enumType('IsolationStatus', {
  description: 'Where a home-isolation case stands.',
  values: {
    ACTIVE: { description: 'Under 24-hour home isolation.' },
    RELEASED: { description: 'Isolation ended.' },
    TRANSFERRED: { description: 'Moved to medical care or central isolation.' },
  } as const,
});

builder.prismaNode('IsolationCase', {
  description: 'A person under home isolation (personal data).',
  id: { field: 'id' },
  fields: (t) => ({
    personName: t.exposeString('personName', { description: "The person's name (personal data)." }),
    phone: t.exposeString('phone', { description: 'Contact phone (personal data).' }),
    compound: t.relation('compound', { description: 'The compound the person is isolated in.' }),
    reason: t.exposeString('reason', { description: 'Why (e.g. returned from Hubei).' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'Start of isolation.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'Planned end.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'Actual end.' }),
    status: t.expose('status', { type: IsolationStatus, description: 'Where the case stands.' }),
    simulated: t.exposeBoolean('simulated', { description: 'Produced by the simulator; not a real person.' }),
    healthChecks: t.relation('healthChecks', { description: 'Daily health checks, newest first.', query: { orderBy: { checkedAt: 'desc' } } }),
  }),
});

builder.prismaObject('HealthCheck', {
  description: 'One health check of a person in isolation (personal data).',
  fields: (t) => ({
    temperature: t.exposeFloat('temperature', { description: 'Body temperature, °C.' }),
    symptoms: t.exposeStringList('symptoms', { description: 'Symptoms observed.' }),
    note: t.exposeString('note', { nullable: true, description: 'Remarks.' }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', description: 'When.' }),
    checkedBy: t.exposeString('checkedBy', { description: 'By whom.' }),
  }),
});

builder.queryFields((t) => ({
  isolationCases: t.prismaConnection(
    {
      type: 'IsolationCase',
      cursor: 'id',
      description: 'Home-isolation cases (personal data).',
      args: {
        status: t.arg({ type: IsolationStatus, required: false, description: 'Only this status.' }),
        within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only cases in this area or below.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.isolationCase.findMany({ ...query, where: casesWhere(args), orderBy: [{ startedAt: 'desc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.isolationCase.count({ where: casesWhere(args) }),
    },
    { description: 'A page of isolation cases.' },
  ),
}));

function casesWhere(args: { status?: 'ACTIVE' | 'RELEASED' | 'TRANSFERRED' | null; within?: { id: string } | null }) {
  return { ...(args.status ? { status: args.status } : {}), ...(args.within ? { compound: withinAreaPath(args.within.id) } : {}) };
}
