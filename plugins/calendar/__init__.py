"""活动日历 (calendar) plugin: 夜校、微讲堂和村里的活动."""
