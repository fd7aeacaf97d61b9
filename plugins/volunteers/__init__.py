"""志愿服务 (volunteers) plugin: 志愿者报名、排班和人民调解."""
