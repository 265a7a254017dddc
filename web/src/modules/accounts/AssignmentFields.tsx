/** Role + area (or department, for department roles) inputs of one assignment, used in create and add forms. */
import { useEffect, useState } from 'react';
import { Form, Select } from 'antd';
import type { FormInstance } from 'antd';
import { ADMIN_ROLES, DEPARTMENT_ROLES, STAFF_ROLES, type Role } from '../../../../common/roles';
import { roleName, useLocale } from '../../i18n';
import { useSession } from '../../session';
import { AreaPicker } from '../../components/AreaPicker';
import { areasApi, type Department } from '../areas/api';

let departmentsPromise: Promise<Department[]> | null = null;

/** The department list, fetched once per page load (it changes rarely). */
export function useDepartments(enabled: boolean): Department[] {
  const [items, setItems] = useState<Department[]>([]);
  useEffect(() => {
    if (!enabled) return;
    departmentsPromise ??= areasApi.departments().then(
      (r) => r.items,
      (e: unknown) => {
        departmentsPromise = null;
        throw e;
      },
    );
    let live = true;
    departmentsPromise.then((d) => live && setItems(d)).catch(() => {});
    return () => {
      live = false;
    };
  }, [enabled]);
  return items;
}

/** The roles this user may hand out: the three administrator roles only with AdminAssignment. */
export function useAssignableRoles(): Role[] {
  const { can } = useSession();
  const admin = can('create', 'AdminAssignment');
  return STAFF_ROLES.filter((r) => admin || !ADMIN_ROLES.includes(r));
}

/**
 * Fields of one assignment. `prefix` is the item name relative to its Form.List (e.g. [0]) or [] at top level;
 * `listName` is that list's name, needed to watch the chosen role. The place field appears once a role is chosen.
 */
export function AssignmentFields<T>({
  form,
  prefix,
  listName,
  testidSuffix,
}: {
  form: FormInstance<T>;
  prefix: (string | number)[];
  listName?: string;
  testidSuffix: string;
}) {
  const { t, locale } = useLocale();
  const roles = useAssignableRoles();
  const role = Form.useWatch([...(listName ? [listName] : []), ...prefix, 'role'], form) as Role | undefined;
  const isDept = role ? DEPARTMENT_ROLES.includes(role) : false;
  const departments = useDepartments(isDept);
  return (
    <>
      <Form.Item
        name={[...prefix, 'role']}
        rules={[{ required: true, message: t('accounts.roleRequired') }]}
        className="assignment-field-role"
      >
        <Select<Role>
          placeholder={t('accounts.selectRole')}
          options={roles.map((r) => ({ value: r, label: roleName(r, locale) }))}
          data-testid={`assignment-role${testidSuffix}`}
        />
      </Form.Item>
      {role === undefined ? null : isDept ? (
        <Form.Item
          name={[...prefix, 'departmentId']}
          rules={[{ required: true, message: t('accounts.departmentRequired') }]}
          className="assignment-field-place"
        >
          <Select<string>
            placeholder={t('accounts.selectDepartment')}
            showSearch={{ optionFilterProp: 'label' }}
            options={departments.map((d) => ({
              value: d.id,
              label: t('accounts.departmentOption', { name: d.name, district: d.districtName }),
            }))}
            data-testid={`assignment-department${testidSuffix}`}
          />
        </Form.Item>
      ) : (
        <Form.Item
          name={[...prefix, 'areaCode']}
          rules={[{ required: true, message: t('accounts.areaRequired') }]}
          className="assignment-field-place"
        >
          <AreaPicker data-testid={`assignment-area${testidSuffix}`} />
        </Form.Item>
      )}
    </>
  );
}
