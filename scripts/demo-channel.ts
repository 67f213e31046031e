/**
 * WeChat/WeCom credentials for `npm start` and the terminal chat when none are configured.
 * They only ever talk to the mock WeChat API; never use them for a real account.
 */
export const DEMO_CHANNEL = {
  WECHAT_APP_ID: 'wxlinlidemo0000001',
  WECHAT_APP_SECRET: 'linli-demo-secret',
  WECHAT_TOKEN: 'linlidemotoken',
  WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  WECHAT_NOTICE_TEMPLATE_ID: 'linli-demo-notice-template',
  WECOM_CORP_ID: 'wwlinlidemo000001',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'linli-demo-wecom-secret',
  WECOM_TOKEN: 'linlidemowecom',
  WECOM_ENCODING_AES_KEY: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq',
} as const;
