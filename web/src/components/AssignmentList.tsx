/** A list of role assignments (role name + area or department), optionally with a remove action per row. */
import type { ReactNode } from 'react';
import { Empty, Tag, Typography } from 'antd';
import { ApartmentOutlined, BankOutlined } from '@ant-design/icons';
import type { AssignmentView } from '../contract';
import { roleName, useLocale } from '../i18n';

export function assignmentPlace(a: AssignmentView): string {
  return a.areaName ?? a.departmentName ?? a.areaCode ?? '';
}

export function AssignmentList({
  assignments,
  action,
  empty,
}: {
  assignments: readonly AssignmentView[];
  action?: (a: AssignmentView) => ReactNode;
  empty?: string;
}) {
  const { t, locale } = useLocale();
  if (assignments.length === 0) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty ?? t('accounts.noAssignments')} />;
  }
  return (
    <ul className="assignment-list" data-testid="assignment-list">
      {assignments.map((a) => (
        <li key={a.id} className="assignment-row" data-testid={`assignment-${a.id}`}>
          <Tag color="processing" className="assignment-role">
            {roleName(a.role, locale)}
          </Tag>
          <span className="assignment-place">
            {a.departmentId ? <BankOutlined /> : <ApartmentOutlined />}{' '}
            <Typography.Text>{assignmentPlace(a)}</Typography.Text>
            {a.areaCode ? (
              <Typography.Text type="secondary" className="assignment-code">
                {' '}
                {a.areaCode}
              </Typography.Text>
            ) : null}
          </span>
          {action ? <span className="assignment-action">{action(a)}</span> : null}
        </li>
      ))}
    </ul>
  );
}
