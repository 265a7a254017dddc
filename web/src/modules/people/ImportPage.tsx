/**
 * The resident import page (导入居民): choose a community or grid, download the template, upload an XLSX or CSV
 * file (with progress), then see the counts and every rejected row with its column and rule, and download that
 * report. Elements carry data-testid attributes for the browser tests.
 */
import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Progress, Space, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import type { ImportProblem, ImportReport } from '../../../../common/schemas/people-io';
import { translateIn } from '../../catalogues';
import type { Locale } from '../../../../common/locale';
import { ApiError, isApiError, seg } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { AreaPicker } from '../../components/AreaPicker';
import './people.css';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends the file as the raw body (the server streams it to disk), reporting upload progress. */
function uploadSheet(
  areaCode: string,
  file: File,
  opts: { csrfToken: string | null; locale: Locale; onProgress: (percent: number) => void },
): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/people/import?areaCode=${seg(areaCode)}`);
    xhr.withCredentials = true;
    // Windows names CSV files application/vnd.ms-excel: the extension decides.
    xhr.setRequestHeader('Content-Type', /\.csv$/i.test(file.name) ? 'text/csv' : XLSX);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', opts.locale);
    if (opts.csrfToken) xhr.setRequestHeader('X-CSRF-Token', opts.csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON (a proxy's error page): handled below as an unknown error.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as ImportReport);
      const err = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      const details = Array.isArray(err?.details)
        ? (err.details as { field?: unknown; rule?: unknown; message?: unknown }[]).flatMap((d) =>
            typeof d?.field === 'string'
              ? [{ field: d.field, rule: String(d.rule ?? ''), message: String(d.message ?? '') }]
              : [],
          )
        : [];
      reject(
        new ApiError(
          xhr.status,
          err?.code ?? `http.${xhr.status}`,
          err?.message ?? translateIn(opts.locale, 'common.unknownError', { status: xhr.status }),
          details,
        ),
      );
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'network.error', translateIn(opts.locale, 'common.networkError')));
    xhr.send(file);
  });
}

export default function ImportPage() {
  const { t, locale } = useLocale();
  const { me } = useSession();
  const [areaCode, setAreaCode] = useState<string | undefined>();
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [hint, setHint] = useState<string | null>(null);

  const start = async () => {
    if (!areaCode) return setHint(t('peopleIo.import.pickArea'));
    if (!file) return setHint(t('peopleIo.import.pickFile'));
    setHint(null);
    setBusy(true);
    setError(null);
    setReport(null);
    setPercent(0);
    try {
      setReport(
        await uploadSheet(areaCode, file, {
          csrfToken: me?.csrfToken ?? null,
          locale,
          onProgress: setPercent,
        }),
      );
    } catch (e) {
      if (isApiError(e)) setError(e);
    } finally {
      setBusy(false);
      setPercent(null);
    }
  };

  const columns = [
    { title: t('peopleIo.report.row'), dataIndex: 'row', key: 'row', width: 64 },
    { title: t('peopleIo.report.column'), dataIndex: 'header', key: 'header', width: 104 },
    {
      title: t('peopleIo.report.message'),
      key: 'message',
      render: (_: unknown, p: ImportProblem) => (
        <span data-testid="import-problem-message">
          {p.message} <Tag className="people-io-rule">{p.rule}</Tag>
        </span>
      ),
    },
  ];

  return (
    <Page
      title={t('peopleIo.import.title')}
      extra={
        <Link to="/households">
          <Button>{t('peopleIo.import.back')}</Button>
        </Link>
      }
    >
      <Card size="small" className="people-io-card">
        <Typography.Paragraph>{t('peopleIo.import.intro')}</Typography.Paragraph>
        <Space wrap>
          <a href="/api/people/import-template?format=xlsx" download data-testid="import-template-xlsx">
            <Button icon={<DownloadOutlined />}>{t('peopleIo.import.templateXlsx')}</Button>
          </a>
          <a href="/api/people/import-template?format=csv" download data-testid="import-template-csv">
            <Button icon={<DownloadOutlined />}>{t('peopleIo.import.templateCsv')}</Button>
          </a>
        </Space>
      </Card>

      <Card size="small" className="people-io-card">
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <div>
            <Typography.Text strong>{t('peopleIo.import.area')}</Typography.Text>
            <AreaPicker
              value={areaCode}
              onChange={setAreaCode}
              placeholder={t('peopleIo.import.areaPlaceholder')}
              style={{ width: '100%', maxWidth: 420, display: 'block', marginTop: 4 }}
              data-testid="import-area"
            />
          </div>
          {/* The test id on a wrapper: Upload.Dragger does not hand it to its element. */}
          <div data-testid="import-file">
            <Upload.Dragger
              accept=".xlsx,.csv"
              multiple={false}
              maxCount={1}
              showUploadList={false}
              beforeUpload={(f) => {
                setFile(f);
                setReport(null);
                setError(null);
                return false;
              }}
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{file ? file.name : t('peopleIo.import.file')}</p>
              <p className="ant-upload-hint">{t('peopleIo.import.fileHint')}</p>
            </Upload.Dragger>
          </div>
          {hint ? <Alert type="warning" showIcon message={hint} data-testid="import-hint" /> : null}
          <Button type="primary" size="large" onClick={start} loading={busy} data-testid="import-start" block>
            {t('peopleIo.import.start')}
          </Button>
          {percent !== null ? (
            <div data-testid="import-progress">
              <Typography.Text type="secondary">{t('peopleIo.import.uploading')}</Typography.Text>
              <Progress percent={percent} />
            </div>
          ) : null}
        </Space>
      </Card>

      {error ? (
        <Alert
          type="error"
          showIcon
          data-testid="import-error"
          message={`${t('peopleIo.import.failed')}：${error.message}`}
          description={
            error.details.length ? (
              <ul className="people-io-errors">
                {error.details.map((d) => (
                  <li key={`${d.field}-${d.rule}`}>{d.message || `${d.field} (${d.rule})`}</li>
                ))}
              </ul>
            ) : null
          }
        />
      ) : null}

      {report ? (
        <Card size="small" className="people-io-card" data-testid="import-result">
          <Alert
            type={report.rejected ? 'warning' : 'success'}
            showIcon
            message={t('peopleIo.import.done', { seconds: report.seconds })}
          />
          <Descriptions size="small" column={{ xs: 2, sm: 3, md: 5 }} className="people-io-counts">
            <Descriptions.Item label={t('peopleIo.result.rows')}>
              <span data-testid="import-count-rows">{report.rows}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('peopleIo.result.created')}>
              <span data-testid="import-count-created">{report.created}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('peopleIo.result.updated')}>
              <span data-testid="import-count-updated">{report.updated}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('peopleIo.result.unchanged')}>
              <span data-testid="import-count-unchanged">{report.unchanged}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('peopleIo.result.rejected')}>
              <span data-testid="import-count-rejected">{report.rejected}</span>
            </Descriptions.Item>
          </Descriptions>
          {report.problems.length === 0 ? (
            <Typography.Text type="success">{t('peopleIo.import.noProblems')}</Typography.Text>
          ) : (
            <>
              <Space wrap className="people-io-downloads">
                <Typography.Text strong>
                  {t('peopleIo.import.problems', { n: report.problems.length })}
                </Typography.Text>
                <a
                  href={`/api/people/imports/${seg(report.id)}/report?format=xlsx`}
                  download
                  data-testid="import-report-xlsx"
                >
                  <Button icon={<DownloadOutlined />}>{t('peopleIo.import.downloadXlsx')}</Button>
                </a>
                <a
                  href={`/api/people/imports/${seg(report.id)}/report?format=csv`}
                  download
                  data-testid="import-report-csv"
                >
                  <Button icon={<DownloadOutlined />}>{t('peopleIo.import.downloadCsv')}</Button>
                </a>
              </Space>
              {report.truncated ? (
                <Alert type="info" message={t('peopleIo.import.truncated', { n: report.problems.length })} />
              ) : null}
              <Table<ImportProblem>
                size="small"
                rowKey={(p) => `${p.row}-${p.column ?? ''}-${p.rule}`}
                columns={columns}
                dataSource={report.problems}
                pagination={{ pageSize: 50, showSizeChanger: false }}
                // No sideways scroll: the message wraps, so that a phone shows the rule without scrolling.
                tableLayout="fixed"
                data-testid="import-problems"
                onRow={(p) =>
                  ({ 'data-testid': `import-problem-${p.row}` }) as React.HTMLAttributes<HTMLElement>
                }
              />
            </>
          )}
        </Card>
      ) : null}
    </Page>
  );
}
