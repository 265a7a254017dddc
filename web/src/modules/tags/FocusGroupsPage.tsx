/**
 * Focus groups (重点人群, /focus-groups): the groups the user may see with their counts per child area (e.g. per grid
 * of a community; a child area drills in), and the residents of the group chosen, masked, each opening its card.
 * Phone first: at 390 px the counts table scrolls sideways and the list stacks.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Empty,
  List,
  Pagination,
  Skeleton,
  Space,
  Table,
  Tag as AntTag,
  Typography,
} from 'antd';
import { ArrowUpOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { tagName, tagsApi, type Tag, type TagCounts, type TaggedResident } from './api';
import { SENSITIVITY_COLOURS, sensitivityLabel } from './ResidentTags';
import './tags.css';

const PAGE = 20;

/** Depth of each tag in the tree it came in (parents first). */
function depths(tags: Tag[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of tags) out.set(x.id, x.parentId && out.has(x.parentId) ? out.get(x.parentId)! + 1 : 0);
  return out;
}

export default function FocusGroupsPage() {
  const { t, locale } = useLocale();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const areaCode = params.get('areaCode') ?? undefined;
  const tagId = params.get('tag') ?? undefined;
  const [tree, setTree] = useState<Tag[] | null>(null);
  const [counts, setCounts] = useState<TagCounts | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [history, setHistory] = useState<string[]>([]);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    Promise.all([tagsApi.tree(false, ac.signal), tagsApi.counts(areaCode, ac.signal)])
      .then(([tr, c]) => {
        setTree(tr.items);
        setCounts(c);
      })
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [areaCode, reload]);

  const depthOf = useMemo(() => depths(tree ?? []), [tree]);
  const set = (next: { areaCode?: string; tag?: string }) => {
    const p = new URLSearchParams();
    if (next.areaCode) p.set('areaCode', next.areaCode);
    if (next.tag) p.set('tag', next.tag);
    setParams(p);
  };

  if (error) return <ErrorResult error={error} onRetry={() => setReload((n) => n + 1)} />;
  if (!tree || !counts) return <Skeleton active />;

  const byId = new Map(tree.map((x) => [x.id, x]));
  const rows = counts.rows.filter((r) => byId.has(r.tagId)).map((r) => ({ ...r, tag: byId.get(r.tagId)! }));
  const selected = tagId ? byId.get(tagId) : undefined;
  const drill = (code: string) => {
    setHistory((h) => [...h, counts.areaCode]);
    set({ areaCode: code, tag: tagId });
  };
  const up = () => {
    const prev = history.at(-1);
    setHistory((h) => h.slice(0, -1));
    set({ areaCode: prev, tag: tagId });
  };

  const totalColumn =
    counts.areas.length > 1
      ? [
          {
            key: 'total',
            align: 'right' as const,
            title: t('tags.groups.total'),
            render: (_: unknown, r: (typeof rows)[number]) => <strong>{r.total}</strong>,
          },
        ]
      : [];

  return (
    <Page
      title={t('tags.groups.title')}
      extra={
        history.length ? (
          <Button icon={<ArrowUpOutlined />} onClick={up}>
            {t('tags.groups.up')}
          </Button>
        ) : null
      }
    >
      <Card
        className="people-section"
        title={t('tags.groups.countsIn', { area: counts.areaName })}
        data-testid="focus-counts"
      >
        {rows.length === 0 ? (
          <Empty description={t('tags.groups.none')} />
        ) : (
          <div className="tags-counts-table">
            <Table
              size="middle"
              pagination={false}
              rowKey="tagId"
              dataSource={rows}
              scroll={{ x: 'max-content' }}
              rowClassName={(r) => `tags-group-row${r.tagId === tagId ? ' selected' : ''}`}
              onRow={(r) => ({ onClick: () => set({ areaCode, tag: r.tagId }) })}
              columns={[
                {
                  key: 'tag',
                  // On a phone the name wraps in a narrow column, so that counts show beside it.
                  ...(mobile ? { width: 150 } : {}),
                  title: t('tags.groups.group'),
                  fixed: 'left',
                  render: (_: unknown, r) => (
                    <span style={{ paddingInlineStart: (depthOf.get(r.tagId) ?? 0) * 14 }}>
                      <Typography.Link>{tagName(r.tag, locale)}</Typography.Link>
                      {r.tag.sensitivity !== 'normal' ? (
                        <AntTag
                          color={SENSITIVITY_COLOURS[r.tag.sensitivity]}
                          style={{ marginInlineStart: 6 }}
                        >
                          {sensitivityLabel(t, r.tag.sensitivity)}
                        </AntTag>
                      ) : null}
                    </span>
                  ),
                },
                // On a phone the total comes first: the per-area columns scroll sideways behind it.
                ...(mobile ? totalColumn : []),
                ...counts.areas.map((a, i) => ({
                  key: `a${i}`,
                  align: 'right' as const,
                  title:
                    a.areaCode && a.areaCode !== counts.areaCode ? (
                      <Typography.Link
                        onClick={(e) => {
                          e.stopPropagation();
                          drill(a.areaCode!);
                        }}
                      >
                        {a.areaName ?? a.areaCode}
                      </Typography.Link>
                    ) : (
                      (a.areaName ?? t('tags.groups.unplaced'))
                    ),
                  render: (_: unknown, r: (typeof rows)[number]) => r.counts[i] ?? 0,
                })),
                ...(mobile ? [] : totalColumn),
              ]}
            />
          </div>
        )}
      </Card>
      {selected ? (
        <Members tag={selected} areaCode={areaCode} />
      ) : (
        <Alert type="info" showIcon title={t('tags.groups.pick')} />
      )}
    </Page>
  );
}

function Members({ tag, areaCode }: { tag: Tag; areaCode?: string }) {
  const { t, locale } = useLocale();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: TaggedResident[]; total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => setPage(1), [tag.id, areaCode]);
  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    setData(null);
    tagsApi
      .members(tag.id, { areaCode, limit: PAGE, offset: (page - 1) * PAGE }, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [tag.id, areaCode, page]);
  return (
    <Card
      className="people-section"
      title={t('tags.groups.members', { name: tagName(tag, locale), n: data?.total ?? '…' })}
      data-testid="focus-members"
    >
      {error ? <Alert type="error" showIcon title={error.message} /> : null}
      <List
        loading={!data && !error}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('tags.groups.noMembers') }}
        renderItem={(r) => (
          <List.Item>
            <div className="tags-item">
              <Link to={`/residents/${r.id}`} className="tags-item-name">
                {r.name}
              </Link>
              <Space wrap size={[12, 2]}>
                <span>{r.idNumberMasked ?? ''}</span>
                <span>{r.areaName ?? r.areaCode}</span>
                {r.householdNumber ? <span>{r.householdNumber}</span> : null}
              </Space>
              <Space wrap size={4}>
                {r.tags.map((x) => (
                  <AntTag key={x.tagId}>
                    {x.tagName} · {x.fromDate}
                  </AntTag>
                ))}
              </Space>
            </div>
          </List.Item>
        )}
      />
      {data && data.total > PAGE ? (
        <Pagination
          current={page}
          pageSize={PAGE}
          total={data.total}
          onChange={setPage}
          showSizeChanger={false}
          size="small"
        />
      ) : null}
    </Card>
  );
}
