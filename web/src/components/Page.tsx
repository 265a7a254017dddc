/** The frame of every page inside the shell: a title row with optional actions, then the content. */
import type { ReactNode } from 'react';
import { Typography } from 'antd';

export function Page({
  title,
  extra,
  children,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="page">
      <div className="page-head">
        <Typography.Title level={3} className="page-title">
          {title}
        </Typography.Title>
        {extra ? <div className="page-extra">{extra}</div> : null}
      </div>
      {children}
    </div>
  );
}
