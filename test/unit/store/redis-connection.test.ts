import { describe, expect, test } from 'vitest';
import { redactRedisUrl, redisCall, redisOptions } from '../../../store/redis/connection.ts';

describe('redisOptions', () => {
  test('reads host, port, user, password and database from the URL', () => {
    const o = redisOptions({ url: 'redis://app:s%40cret@redis.internal:6380/2' }, 'command', {});
    expect(o).toMatchObject({ host: 'redis.internal', port: 6380, username: 'app', password: 's@cret', db: 2, maxRetriesPerRequest: 3 });
    expect(o.tls).toBeUndefined();
  });

  test('takes the password from the named environment variable when the URL has none', () => {
    expect(redisOptions({ url: 'redis://127.0.0.1' }, 'command', { ALLEARS_REDIS_PASSWORD: 'pw' }).password).toBe('pw');
    expect(redisOptions({ url: 'redis://127.0.0.1', passwordEnv: 'MY_PW' }, 'command', { MY_PW: 'other' }).password).toBe('other');
    expect(redisOptions({ url: 'redis://:inurl@127.0.0.1' }, 'command', { ALLEARS_REDIS_PASSWORD: 'pw' }).password).toBe('inurl');
  });

  test('waits forever for workers, as BullMQ requires, and uses TLS for rediss://', () => {
    const o = redisOptions({ url: 'rediss://cache.example:6390' }, 'worker', {});
    expect(o.maxRetriesPerRequest).toBeNull();
    expect(o.tls).toEqual({});
    expect(o.port).toBe(6390);
  });

  test('rejects a bad URL naming the field, without repeating a password', () => {
    expect(() => redisOptions({ url: 'http://u:topsecret@host' }, 'command', {})).toThrow(/deployment\.redisUrl: unsupported scheme/);
    expect(() => redisOptions({ url: 'redis://host/x' }, 'command', {})).toThrow(/database number/);
    try {
      redisOptions({ url: 'redis://u:topsecret@host:99999' }, 'command', {});
      expect.unreachable();
    } catch (e) {
      expect(JSON.stringify(e) + String(e)).not.toContain('topsecret');
    }
  });

  test('redacts the password for logs', () => {
    expect(redactRedisUrl('redis://app:topsecret@h:1/0')).toBe('redis://app:***@h:1/0');
    expect(redactRedisUrl('redis://h:1')).toBe('redis://h:1');
  });
});

describe('redisCall', () => {
  test('turns a connection failure into a retryable error and a reply error into a permanent one', async () => {
    await expect(redisCall('x', () => Promise.reject(new Error('Connection is closed.')))).rejects.toMatchObject({ name: 'TransientError', retryable: true });
    const reply = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    await expect(redisCall('x', () => Promise.reject(reply))).rejects.toMatchObject({ code: 'redis_error', retryable: false });
    const loading = Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' });
    await expect(redisCall('x', () => Promise.reject(loading))).rejects.toMatchObject({ retryable: true });
  });
});
