import { describe, expect, it } from 'vitest';
import { tableEnvName, tableLogicalId } from '../../src/names.js';

describe('tableLogicalId', () => {
  it('removes every non-alphanumeric character', () => {
    expect(tableLogicalId('orders-v2')).toBe('ordersv2');
    expect(tableLogicalId('my_table.prod 1')).toBe('mytableprod1');
    expect(tableLogicalId('---')).toBe('');
  });
});

describe('tableEnvName', () => {
  it('upper-cases, turns - into _ and drops other characters', () => {
    expect(tableEnvName('orders-v2')).toBe('ORDERS_V2');
    expect(tableEnvName('my.table_1')).toBe('MYTABLE_1');
  });
});
